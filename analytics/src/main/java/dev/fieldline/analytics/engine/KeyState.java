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
import java.util.Arrays;

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
    /** History ring, allocated at the first sample and grown by doubling up to its capacity. */
    private long[] historyTimes;
    private double[] historyValues;
    private int historyHead;
    private int historySize;
    private final int historyCapacity;
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
        this.historyCapacity = config.historySize();
    }

    void remember(long time, double value) {
        if (historyCapacity == 0) {
            return;
        }
        if (historyTimes == null) {
            int initial = Math.min(historyCapacity, 16);
            historyTimes = new long[initial];
            historyValues = new double[initial];
        } else if (historySize == historyTimes.length && historySize < historyCapacity) {
            // not yet wrapped: head is 0 and the ring is in order
            int grown = Math.min(historyCapacity, historySize * 2);
            historyTimes = Arrays.copyOf(historyTimes, grown);
            historyValues = Arrays.copyOf(historyValues, grown);
        }
        int len = historyTimes.length;
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
        int len = historyTimes == null ? 0 : historyTimes.length;
        for (int i = 0; i < historySize; i++) {
            int at = (historyHead + i) % len;
            t[i] = historyTimes[at];
            v[i] = historyValues[at];
        }
        return new History(key, t, v);
    }
}
