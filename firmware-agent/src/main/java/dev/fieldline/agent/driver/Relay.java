package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalOutput;

/**
 * A relay (or any switched load) on a digital output. Many relay boards are active-low: the coil is
 * energised while the pin is low. The safe state is released unless the profile says energised
 * ({@code safe-state: on}, e.g. a fail-safe lock); it is set on {@link #close} (the agent closes
 * actuators when it stops). Open its pin with
 * {@code board.digitalOutput(pin, Relay.safeLevel(activeLow, safeOn))} so that the relay starts in its
 * safe state without a click.
 */
public final class Relay implements AutoCloseable {
    private final ActiveLevelOutput output;
    private final boolean safeOn;

    /** A relay whose safe state is released. */
    public Relay(DigitalOutput output, boolean activeLow) {
        this(output, activeLow, false);
    }

    public Relay(DigitalOutput output, boolean activeLow, boolean safeOn) {
        this.output = new ActiveLevelOutput(output, activeLow);
        this.safeOn = safeOn;
    }

    /** The pin level of the safe state. */
    public static boolean safeLevel(boolean activeLow, boolean safeOn) {
        return safeOn != activeLow;
    }

    /** Energises (true) or releases (false) the relay. */
    public void set(boolean energised) {
        output.set(energised);
    }

    public boolean isEnergised() {
        return output.isActive();
    }

    /** Puts the relay in its safe state. */
    @Override
    public void close() {
        output.set(safeOn);
    }
}
