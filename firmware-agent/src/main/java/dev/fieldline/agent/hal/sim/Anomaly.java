package dev.fieldline.agent.hal.sim;

import java.time.Duration;

/**
 * A sensor event or fault injected into a {@link TemperatureModel} (demos, tests, and the training
 * data of the sensor-anomaly model). Each starts with the next sample.
 */
public sealed interface Anomaly {

    /** The next sample is off by {@code magnitude} (Cel, signed). */
    record Spike(double magnitude) implements Anomaly {
        public Spike {
            if (!Double.isFinite(magnitude)) {
                throw new IllegalArgumentException("magnitude must be finite, was " + magnitude);
            }
        }
    }

    /**
     * The reading ramps away by {@code celsiusPerSecond} for {@code duration}; the offset reached
     * stays (a sensor that drifted is off calibration until serviced).
     */
    record Drift(double celsiusPerSecond, Duration duration) implements Anomaly {
        public Drift {
            if (!Double.isFinite(celsiusPerSecond)) {
                throw new IllegalArgumentException("celsiusPerSecond must be finite, was " + celsiusPerSecond);
            }
            requirePositive(duration);
        }
    }

    /** The sensor repeats its last value for {@code duration}. */
    record Stuck(Duration duration) implements Anomaly {
        public Stuck {
            requirePositive(duration);
        }
    }

    private static void requirePositive(Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration must be positive, was " + d);
        }
    }
}
