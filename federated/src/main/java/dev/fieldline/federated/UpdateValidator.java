package dev.fieldline.federated;

/**
 * Checks an update before it counts: the layout's number of values, every value finite, the L2 norm of
 * the delta at most {@code maxNorm}, and an example count in {@code 1..maxExamples}.
 */
public record UpdateValidator(WeightLayout layout, double maxNorm, long maxExamples) {

    public static final double DEFAULT_MAX_NORM = 1e4;
    public static final long DEFAULT_MAX_EXAMPLES = 10_000_000L;

    public UpdateValidator {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be positive, was " + maxNorm);
        }
        if (maxExamples < 1) {
            throw new IllegalArgumentException("maxExamples must be >= 1, was " + maxExamples);
        }
    }

    public UpdateValidator(WeightLayout layout) {
        this(layout, DEFAULT_MAX_NORM, DEFAULT_MAX_EXAMPLES);
    }

    public void check(ClientUpdate update) throws UpdateRejected {
        float[] d = update.delta();
        if (d.length != layout.size()) {
            throw new UpdateRejected(UpdateRejected.Reason.SHAPE, "update of " + update.clientId() + " holds "
                    + d.length + " values, the model " + layout.size());
        }
        if (update.examples() < 1 || update.examples() > maxExamples) {
            throw new UpdateRejected(UpdateRejected.Reason.EXAMPLES, "update of " + update.clientId() + " claims "
                    + update.examples() + " examples, not in 1.." + maxExamples);
        }
        double sq = 0;
        for (int i = 0; i < d.length; i++) {
            float v = d[i];
            if (!Float.isFinite(v)) {
                throw new UpdateRejected(UpdateRejected.Reason.NON_FINITE, "update of " + update.clientId()
                        + " has " + v + " at index " + i);
            }
            sq += (double) v * v;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            throw new UpdateRejected(UpdateRejected.Reason.NORM, "update of " + update.clientId() + " has norm "
                    + String.format("%.4g", norm) + ", above the bound " + maxNorm);
        }
    }
}
