package dev.fieldline.agent.hal.ble;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The latest value of each quantity of a pushed sensor and when it came. Reads are served only
 * while every value is younger than {@code staleAfter}. Thread-safe.
 */
final class LatestValues {
    private final double[] values;
    private final Instant[] times;
    private final Duration staleAfter;

    LatestValues(int quantities, Duration staleAfter) {
        this.values = new double[quantities];
        this.times = new Instant[quantities];
        this.staleAfter = staleAfter;
    }

    synchronized void set(int index, double value, Instant at) {
        values[index] = value;
        times[index] = at;
    }

    /** The value still holds (the source repeated it): only its age starts again. */
    synchronized void touch(int index, Instant at) {
        if (times[index] != null) {
            times[index] = at;
        }
    }

    /**
     * Copies every value into {@code out} when all are fresh.
     *
     * @return -1 when copied, else the index of the first value that is missing or stale (nothing copied)
     */
    synchronized int copyIfFresh(double[] out, Instant now) {
        for (int i = 0; i < times.length; i++) {
            if (times[i] == null || Duration.between(times[i], now).compareTo(staleAfter) > 0) {
                return i;
            }
        }
        System.arraycopy(values, 0, out, 0, values.length);
        return -1;
    }

    /** How old value {@code index} is; empty when none came yet. */
    synchronized Optional<Duration> age(int index, Instant now) {
        return Optional.ofNullable(times[index]).map(t -> Duration.between(t, now));
    }

    /** Text for a fault message: "yet", or "for 12 s (stale after 10 s)". */
    String describeAge(int index, Instant now) {
        return age(index, now).map(a -> "for " + a.toSeconds() + " s (stale after " + staleAfter.toSeconds() + " s)").orElse("yet");
    }
}
