package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.HalException;
import java.time.Duration;

/**
 * How a driver waits for a chip (a conversion, a reset). Tests pass one that returns at once and
 * lets the emulated chip finish instead.
 */
@FunctionalInterface
public interface Pause {

    /** Waits about {@code duration}. */
    void pause(Duration duration);

    /** Sleeps the calling thread; an interrupt ends the wait with a TIMEOUT failure, interrupt status kept. */
    Pause SLEEP = duration -> {
        try {
            Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(HalException.Reason.TIMEOUT, "interrupted while waiting for the sensor", e);
        }
    };
}
