package dev.fieldline.analytics.window;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.stats.MinMax;
import dev.fieldline.analytics.stats.Quantiles;
import dev.fieldline.analytics.stats.Welford;
import java.time.Instant;

/** The mergeable statistics of a pane or session: count, mean, variance, min, max, first, last, quantiles. */
final class Aggregate {
    /** Where the pane starts (ms or sample ordinal); unused for sessions. */
    long paneStart;
    final Welford welford = new Welford();
    final MinMax minMax = new MinMax();
    final Quantiles quantiles = new Quantiles();
    long firstTime = Long.MAX_VALUE;
    double first;
    long lastTime = Long.MIN_VALUE;
    double last;

    void add(long time, double value) {
        welford.add(value);
        minMax.add(value);
        quantiles.add(value);
        if (time < firstTime) {
            firstTime = time;
            first = value;
        }
        if (time >= lastTime) {
            lastTime = time;
            last = value;
        }
    }

    void merge(Aggregate o) {
        if (o.welford.count() == 0) {
            return;
        }
        welford.merge(o.welford);
        minMax.merge(o.minMax);
        quantiles.merge(o.quantiles);
        if (o.firstTime < firstTime) {
            firstTime = o.firstTime;
            first = o.first;
        }
        if (o.lastTime >= lastTime) {
            lastTime = o.lastTime;
            last = o.last;
        }
    }

    long count() {
        return welford.count();
    }

    WindowResult result(StreamKey key, WindowSpec spec, long start, long end) {
        return new WindowResult(key, spec, Instant.ofEpochMilli(start), Instant.ofEpochMilli(end), welford.count(),
                welford.mean(), welford.stddev(), minMax.min(), minMax.max(), first, last, quantiles.quantile(0.5),
                quantiles.quantile(0.95));
    }
}
