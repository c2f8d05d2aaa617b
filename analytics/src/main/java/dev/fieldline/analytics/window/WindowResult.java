package dev.fieldline.analytics.window;

import dev.fieldline.analytics.StreamKey;
import java.time.Instant;

/**
 * A closed window's statistics.
 *
 * @param key the stream
 * @param spec the window definition
 * @param start time windows: the window's start (inclusive); sessions: the first sample's time;
 *     count windows: the first sample's time
 * @param end time windows: the window's end (exclusive); sessions: the last sample's time plus the
 *     gap; count windows: the last sample's time
 * @param count samples in the window (never 0: empty windows are not emitted)
 * @param stddev sample standard deviation (0 for one sample)
 * @param first the value with the earliest event time
 * @param last the value with the latest event time
 * @param p50 median (exact up to {@value dev.fieldline.analytics.stats.Quantiles#EXACT_LIMIT} samples, else t-digest)
 * @param p95 95th percentile, likewise
 */
public record WindowResult(StreamKey key, WindowSpec spec, Instant start, Instant end, long count, double mean,
        double stddev, double min, double max, double first, double last, double p50, double p95) {
}
