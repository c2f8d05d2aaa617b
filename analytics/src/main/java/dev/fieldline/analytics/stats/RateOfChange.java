package dev.fieldline.analytics.stats;

/**
 * Rate of change between consecutive samples, value units per second of event time. The first
 * sample, and a sample with the same time as the previous one, have rate 0 (no elapsed time to
 * divide by). Fed in time order. Not thread-safe.
 */
public final class RateOfChange {
    private long lastTime;
    private double lastValue;
    private boolean seeded;
    private double rate;

    public double add(long timeMillis, double value) {
        if (seeded) {
            long dt = timeMillis - lastTime;
            rate = dt > 0 ? (value - lastValue) * 1000.0 / dt : 0;
        } else {
            rate = 0;
            seeded = true;
        }
        lastTime = timeMillis;
        lastValue = value;
        return rate;
    }

    /** The rate from the last sample, value units per second. */
    public double perSecond() {
        return rate;
    }
}
