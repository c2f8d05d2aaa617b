package dev.fieldline.tools.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The shape of a benchmark load: how many simulated devices, how many unacknowledged messages each
 * keeps in flight, and how long a run may take before it is given up.
 */
record LoadShape(int devices, int inflight, Duration timeout) {
    private static final String PREFIX = "bench-";

    LoadShape {
        if (devices < 1) {
            throw new IllegalArgumentException("devices must be >= 1, was " + devices);
        }
        if (inflight < 1) {
            throw new IllegalArgumentException("inflight must be >= 1, was " + inflight);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    String deviceId(int device) {
        return String.format(Locale.ROOT, PREFIX + "%04d", device);
    }

    /** The index of a device id made by {@link #deviceId}. */
    int deviceIndex(String deviceId) {
        return Integer.parseInt(deviceId.substring(PREFIX.length()));
    }

    /** Waits until {@code done} reaches {@code total} or the timeout passes. */
    void await(LongSupplier done, long total) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (done.getAsLong() < total && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
