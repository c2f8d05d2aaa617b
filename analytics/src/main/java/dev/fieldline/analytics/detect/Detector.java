package dev.fieldline.analytics.detect;

/**
 * An online anomaly detector for one stream. It sees each value once, in time order, and judges it
 * against what came before: no look-ahead. Not thread-safe: one instance per stream, fed by one
 * thread at a time.
 */
public interface Detector {
    /**
     * Feeds the next value and returns how anomalous it is.
     *
     * @param timeMillis the value's event time, epoch milliseconds, never earlier than the previous call's
     * @param value a finite number
     * @return the anomaly score in [0, 1] (0 while the detector is still learning); never NaN
     */
    double update(long timeMillis, double value);
}
