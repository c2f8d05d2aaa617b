package dev.fieldline.agent.hal.pi4j;

import com.pi4j.io.gpio.digital.DigitalState;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;

/** A GPIO output through a Pi4J digital output provider. */
final class Pi4jDigitalOutput implements DigitalOutput {
    private final com.pi4j.io.gpio.digital.DigitalOutput line;
    private final int pin;
    private volatile boolean level;

    Pi4jDigitalOutput(com.pi4j.io.gpio.digital.DigitalOutput line, int pin, boolean initialLevel) {
        this.line = line;
        this.pin = pin;
        this.level = initialLevel;
    }

    @Override
    public synchronized void write(boolean high) {
        try {
            line.state(DigitalState.getState(high));
        } catch (RuntimeException e) {
            throw new HalException(HalException.Reason.IO, "write of GPIO " + pin + " failed: " + e.getMessage(), e);
        }
        level = high;
    }

    @Override
    public boolean state() {
        return level;
    }
}
