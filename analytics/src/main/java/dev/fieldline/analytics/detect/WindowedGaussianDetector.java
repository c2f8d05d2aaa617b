package dev.fieldline.analytics.detect;

/**
 * NAB's windowed Gaussian ({@code nab/detectors/gaussian}), re-implemented: the score of a value is
 * {@code 1 - Q(|x - mean| / std)} against the mean and population standard deviation of the values
 * before it; the window first fills up to {@code window} values (statistics after every value), then
 * slides by {@code step} values at a time (statistics after each step). A zero deviation counts as
 * 1e-6. The first value scores 0.
 */
final class WindowedGaussianDetector implements Detector {
    private final double[] ring;
    private final int step;
    private int filled;
    private int head;
    private int pending;
    private final double[] stepBuffer;
    private double mean;
    private double m2;
    private double std = 1;

    WindowedGaussianDetector(int window, int step) {
        this.ring = new double[window];
        this.step = step;
        this.stepBuffer = new double[step];
    }

    @Override
    public double update(long timeMillis, double value) {
        double score = filled == 0 ? 0.0 : 1 - NormalTail.beyond((value - mean) / std);
        if (filled < ring.length) {
            ring[filled++] = value;
            double d = value - mean;
            mean += d / filled;
            m2 += d * (value - mean);
            std = deviation(Math.sqrt(Math.max(0, m2) / filled));
        } else {
            stepBuffer[pending++] = value;
            if (pending == step) {
                for (int i = 0; i < step; i++) {
                    ring[head] = stepBuffer[i];
                    head = (head + 1) % ring.length;
                }
                pending = 0;
                recompute();
            }
        }
        return Math.max(0, Math.min(1, score));
    }

    private void recompute() {
        double sum = 0;
        for (double v : ring) {
            sum += v;
        }
        mean = sum / ring.length;
        double ss = 0;
        for (double v : ring) {
            ss += (v - mean) * (v - mean);
        }
        std = deviation(Math.sqrt(ss / ring.length));
    }

    private static double deviation(double std) {
        return std == 0.0 ? 0.000001 : std;
    }
}
