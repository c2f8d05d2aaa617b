package dev.fieldline.analytics.window;

/** One window definition's state for one stream. */
interface WindowOperator {
    /**
     * Adds a sample, unless it belongs to a window that has already closed.
     *
     * @param pos event time (ms) for time windows, arrival ordinal for count windows
     * @param watermark windows ending at or before it are closed (same unit as pos)
     * @return false when the sample is late and was dropped
     */
    boolean add(long pos, long time, double value, long watermark);

    /** Emits every window that ends at or before the watermark. */
    void advance(long watermark);

    /** Emits every window holding data, closed or not. */
    void flush();
}
