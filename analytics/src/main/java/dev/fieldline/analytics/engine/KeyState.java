package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.detect.Detector;
import dev.fieldline.analytics.stats.Ewma;
import dev.fieldline.analytics.stats.MinMax;
import dev.fieldline.analytics.stats.Quantiles;
import dev.fieldline.analytics.stats.RateOfChange;
import dev.fieldline.analytics.stats.Welford;
import dev.fieldline.analytics.trend.TrendEstimator;
import dev.fieldline.analytics.window.KeyWindows;

/** One stream's state. */
final class KeyState {
    final StreamKey key;
    final int hash;
    final Welford welford = new Welford();
    final MinMax minMax = new MinMax();
    final Ewma ewma;
    final RateOfChange rate = new RateOfChange();
    final Quantiles quantiles;
    final Detector[] detectors;
    final TrendEstimator trend;
    final KeyWindows windows;
    /**
     * History ring, allocated at full size so that a stream's memory does not grow with its age. Times
     * are kept as int milliseconds since the previous sample (4 bytes instead of 8), from the oldest
     * sample's time; a gap longer than {@link Integer#MAX_VALUE} ms (24.8 days) starts the history afresh.
     */
    private final int[] historyGaps;
    private final double[] historyValues;
    private int historyHead;
    private int historySize;
    private long historyOldest;
    private long historyNewest;
    /** Latest event time taken in order. */
    long lastTime = Long.MIN_VALUE;
    double lastValue;

    KeyState(StreamKey key, int hash, EngineConfig config, StreamListener listener) {
        this.key = key;
        this.hash = hash;
        this.ewma = new Ewma(config.ewmaAlpha());
        this.quantiles = config.quantiles() ? new Quantiles() : null;
        this.detectors = new Detector[config.detectors().size()];
        for (int i = 0; i < detectors.length; i++) {
            detectors[i] = config.detectors().get(i).factory().create();
        }
        this.trend = new TrendEstimator(config.trendSamples(), config.trendAlpha());
        this.windows = config.windows().isEmpty() ? null : new KeyWindows(key, config.windows(), config.allowance(), listener);
        this.historyGaps = new int[config.historySize()];
        this.historyValues = new double[config.historySize()];
    }

    /** Appends a sample to the history; samples come in time order. */
    void remember(long time, double value) {
        int len = historyValues.length;
        if (len == 0) {
            return;
        }
        long gap = time - historyNewest;
        if (historySize == 0 || gap > Integer.MAX_VALUE) {
            historyHead = 0;
            historySize = 1;
            historyGaps[0] = 0;
            historyValues[0] = value;
            historyOldest = time;
        } else if (historySize < len) {
            int at = (historyHead + historySize) % len;
            historyGaps[at] = (int) gap;
            historyValues[at] = value;
            historySize++;
        } else {
            int at = historyHead;
            historyHead = (historyHead + 1) % len;
            historyOldest += historyGaps[historyHead];
            historyGaps[at] = (int) gap;
            historyValues[at] = value;
        }
        historyNewest = time;
    }

    History history() {
        long[] t = new long[historySize];
        double[] v = new double[historySize];
        int len = historyValues.length;
        long time = historyOldest;
        for (int i = 0; i < historySize; i++) {
            int at = (historyHead + i) % len;
            if (i > 0) {
                time += historyGaps[at];
            }
            t[i] = time;
            v[i] = historyValues[at];
        }
        return new History(key, t, v);
    }
}
