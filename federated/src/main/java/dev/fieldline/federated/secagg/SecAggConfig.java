package dev.fieldline.federated.secagg;

/**
 * The server's choice of secure-aggregation parameters for its rounds.
 *
 * @param quantisation how updates are quantised and the modulus (see {@link Quantisation})
 * @param thresholdFraction t = ⌊n · fraction⌋ + 1 (at least 2, at most n); 0.5 gives the smallest
 *     majority, the default
 * @param allowMinorityThreshold whether a fraction below 0.5 (t ≤ n/2) is allowed; off by default
 */
public record SecAggConfig(Quantisation quantisation, double thresholdFraction, boolean allowMinorityThreshold) {

    /** Defaults: clip 1.0, 1024 steps per unit of n·Δ, up to 65,536 examples, up to 1,000 clients (40 bits). */
    public static final SecAggConfig DEFAULT = new SecAggConfig(
            Quantisation.forClients(1.0, 1024, 65_536, 1_000, Quantisation.Rounding.NEAREST), 0.5, false);

    public SecAggConfig {
        if (quantisation == null) {
            throw new IllegalArgumentException("quantisation must not be null");
        }
        if (!(thresholdFraction > 0 && thresholdFraction < 1)) {
            throw new IllegalArgumentException("thresholdFraction must be in (0, 1), was " + thresholdFraction);
        }
        if (thresholdFraction < 0.5 && !allowMinorityThreshold) {
            throw new IllegalArgumentException("thresholdFraction " + thresholdFraction + " gives t <= n/2; set "
                    + "allowMinorityThreshold to allow it");
        }
    }

    public SecAggConfig withQuantisation(Quantisation q) {
        return new SecAggConfig(q, thresholdFraction, allowMinorityThreshold);
    }

    /** The threshold for a session of n clients. */
    public int threshold(int clients) {
        return Math.min(clients, Math.max(2, (int) Math.floor(clients * thresholdFraction) + 1));
    }

    /** The parameters of a session over {@code clients} clients and a model of {@code modelLength} values. */
    public SecAggParams params(long session, int clients, int modelLength) {
        return new SecAggParams(session, clients, threshold(clients), modelLength + 1, quantisation);
    }
}
