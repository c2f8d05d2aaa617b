package dev.fieldline.federated.secagg;

/**
 * What every participant of one secure-aggregation session agrees on before it starts (the round
 * announcement carries it): clients are numbered 1..{@code clients}.
 *
 * @param session identifies the session; bound into every derived key and every encrypted share
 * @param clients number of clients selected for the round (n)
 * @param threshold shares needed to reconstruct a secret (t); also the fewest clients a phase may end with
 * @param length coordinates of each input vector (model parameters + 1 for the example count)
 * @param quantisation the modulus and how updates are quantised
 */
public record SecAggParams(long session, int clients, int threshold, int length, Quantisation quantisation) {

    /** Upper bound on n; client indices travel as two bytes. */
    public static final int MAX_CLIENTS = 10_000;

    public SecAggParams {
        if (clients < 2 || clients > MAX_CLIENTS) {
            throw new IllegalArgumentException("clients must be in 2.." + MAX_CLIENTS + ", was " + clients);
        }
        if (threshold < 2 || threshold > clients) {
            throw new IllegalArgumentException("threshold must be in 2..clients (" + clients + "), was " + threshold);
        }
        if (length < 1) {
            throw new IllegalArgumentException("length must be >= 1, was " + length);
        }
        if (quantisation == null) {
            throw new IllegalArgumentException("quantisation must not be null");
        }
        quantisation.checkFits(clients);
    }

    public int bits() {
        return quantisation.bits();
    }
}
