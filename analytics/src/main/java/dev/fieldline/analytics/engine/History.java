package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;

/**
 * A copy of a stream's most recent samples, oldest first (as many as the history keeps).
 *
 * @param times event times, epoch milliseconds, non-decreasing
 * @param values the values, same length as times
 */
public record History(StreamKey key, long[] times, double[] values) {
    public int size() {
        return times.length;
    }
}
