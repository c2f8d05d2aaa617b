package dev.fieldline.analytics.nab;

import java.util.List;

/**
 * A decoded series: the timestamps as written (so output can repeat them exactly), the same as epoch
 * milliseconds (UTC), and the values.
 */
public record Series(List<String> timestamps, long[] timesMillis, double[] values) {
    public Series {
        timestamps = List.copyOf(timestamps);
        if (timesMillis.length != timestamps.size() || values.length != timestamps.size()) {
            throw new IllegalArgumentException("timestamps, timesMillis and values differ in length");
        }
    }

    public int size() {
        return values.length;
    }

    /** The first row with this timestamp text, or -1. */
    public int indexOf(String timestamp) {
        return timestamps.indexOf(timestamp);
    }
}
