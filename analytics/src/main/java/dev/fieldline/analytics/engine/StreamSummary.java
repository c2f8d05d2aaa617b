package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Trend;

/**
 * A stream's statistics now, for the API and insights.
 *
 * @param count samples taken in order (out-of-order ones only reach the windows)
 * @param p50 median from the stream's quantile sketch; NaN when quantiles are off
 * @param lastTimeMillis the latest sample's event time
 */
public record StreamSummary(StreamKey key, long count, double mean, double stddev, double min, double max, double ewma,
        double ratePerSecond, double p50, double p95, double p99, Trend trend, long lastTimeMillis, double lastValue) {
}
