package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalOutput;

/**
 * An LED on a digital output: on = high, or on = low when wired active-low (anode to the supply,
 * the pin sinking current). Safe state: off, set on {@link #close}. Open its pin with
 * {@code board.digitalOutput(pin, Led.offLevel(activeLow))} so that it starts off.
 */
public final class Led implements AutoCloseable {
    private final ActiveLevelOutput output;

    /** An active-high LED. */
    public Led(DigitalOutput output) {
        this(output, false);
    }

    public Led(DigitalOutput output, boolean activeLow) {
        this.output = new ActiveLevelOutput(output, activeLow);
    }

    /** The pin level at which the LED is off. */
    public static boolean offLevel(boolean activeLow) {
        return activeLow;
    }

    public void set(boolean on) {
        output.set(on);
    }

    public boolean isOn() {
        return output.isActive();
    }

    /** Turns the LED off (its safe state). */
    @Override
    public void close() {
        output.set(false);
    }
}
