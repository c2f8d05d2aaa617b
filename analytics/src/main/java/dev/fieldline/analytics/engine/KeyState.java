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
    /** History ring, allocated at full size so that a stream's memory does not grow with its age. */
    private final long[] historyTimes;
    private final double[] historyValues;
    private int historyHead;
    private int historySize;
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
        this.historyTimes = new long[config.historySize()];
        this.historyValues = new double[config.historySize()];
    }

    void remember(long time, double value) {
        int len = historyTimes.length;
        if (len == 0) {
            return;
        }
        if (historySize < len) {
            historyTimes[historySize] = time;
            historyValues[historySize] = value;
            historySize++;
        } else {
            historyTimes[historyHead] = time;
            historyValues[historyHead] = value;
            historyHead = (historyHead + 1) % len;
        }
    }

    History history() {
        long[] t = new long[historySize];
        double[] v = new double[historySize];
        int len = historyTimes.length;
        for (int i = 0; i < historySize; i++) {
            int at = (historyHead + i) % len;
            t[i] = historyTimes[at];
            v[i] = historyValues[at];
        }
        return new History(key, t, v);
    }
}
