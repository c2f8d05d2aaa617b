package dev.fieldline.federated.privacy;

import dev.fieldline.federated.ClientUpdate;

/**
 * The client's half of DP-FedAvg: the update (delta) is scaled down to L2 norm at most {@code S}, the
 * clip norm, so that one client can move the sum by at most {@code S}. Call it on the update that
 * {@code LocalTrainer.train} returns, before it is sent; the server clips again in
 * {@link DpMeanAggregator}, so a client that skips it gains nothing.
 *
 * <p>The scale is {@code min(1, S / ‖Δ‖₂)} with the norm summed in double. The clipped floats may exceed
 * {@code S} by float rounding (relative 2⁻²⁴); the privacy bound rests on the server's clip, done in
 * double.
 */
public final class UpdateClipping {

    private UpdateClipping() {
    }

    /** The L2 norm of {@code values}, squares summed in double; NaN or infinite when a value is. */
    public static double l2Norm(float[] values) {
        double sq = 0;
        for (float v : values) {
            sq += (double) v * v;
        }
        return Math.sqrt(sq);
    }

    /** The factor {@code min(1, clipNorm / norm)} that brings a vector of norm {@code norm} within the bound. */
    public static double scale(double norm, double clipNorm) {
        requireClipNorm(clipNorm);
        if (!Double.isFinite(norm)) {
            throw new IllegalArgumentException("the update has a non-finite norm (" + norm + "); it cannot be clipped");
        }
        return norm > clipNorm ? clipNorm / norm : 1.0;
    }

    /** A copy of {@code delta} clipped to L2 norm {@code clipNorm}; {@code delta} is unchanged. */
    public static float[] clip(float[] delta, double clipNorm) {
        float[] copy = delta.clone();
        clipInPlace(copy, clipNorm);
        return copy;
    }

    /**
     * Clips {@code delta} in place, without a copy, and returns its norm before clipping (what a client
     * reports so the operator can see how often the bound bites).
     *
     * @throws IllegalArgumentException when a value is NaN or infinite
     */
    public static double clipInPlace(float[] delta, double clipNorm) {
        double norm = l2Norm(delta);
        double s = scale(norm, clipNorm);
        if (s < 1.0) {
            for (int i = 0; i < delta.length; i++) {
                delta[i] = (float) (delta[i] * s);
            }
        }
        return norm;
    }

    /** The update with its delta clipped to {@code clipNorm} (a new update; the given one is unchanged). */
    public static ClientUpdate clip(ClientUpdate update, double clipNorm) {
        return new ClientUpdate(update.clientId(), clip(update.delta(), clipNorm), update.examples(),
                update.metrics());
    }

    static void requireClipNorm(double clipNorm) {
        if (!(clipNorm > 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("clipNorm must be positive and finite, was " + clipNorm);
        }
    }
}
