package dev.fieldline.federated.privacy;

/**
 * The two knobs of DP-FedAvg (McMahan et al. 2018).
 *
 * @param clipNorm S: every client's update is clipped to L2 norm at most S (the sensitivity of the sum)
 * @param noiseMultiplier z: the sum gets Gaussian noise of standard deviation z·S per coordinate; the
 *     privacy accountant takes z, not the standard deviation. 0 means clipping without noise (no privacy).
 */
public record DpConfig(double clipNorm, double noiseMultiplier) {

    public DpConfig {
        UpdateClipping.requireClipNorm(clipNorm);
        if (!(noiseMultiplier >= 0) || Double.isInfinite(noiseMultiplier)) {
            throw new IllegalArgumentException("noiseMultiplier must be >= 0 and finite, was " + noiseMultiplier);
        }
    }

    /** The standard deviation of the noise added to the sum: z·S. */
    public double sumNoiseStd() {
        return noiseMultiplier * clipNorm;
    }
}
