package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalOutput;

/**
 * A relay (or any switched load) on a digital output. Many relay boards are active-low: the coil is
 * energised while the pin is low. Safe state: de-energised, set on {@link #close} (the agent closes
 * actuators when it stops). Open its pin with {@code board.digitalOutput(pin, Relay.offLevel(activeLow))}
 * so that the relay does not click on at start-up.
 */
public final class Relay implements AutoCloseable {
    private final ActiveLevelOutput output;

    public Relay(DigitalOutput output, boolean activeLow) {
        this.output = new ActiveLevelOutput(output, activeLow);
    }

    /** The pin level at which the relay is de-energised. */
    public static boolean offLevel(boolean activeLow) {
        return activeLow;
    }

    /** Energises (true) or releases (false) the relay. */
    public void set(boolean energised) {
        output.set(energised);
    }

    public boolean isEnergised() {
        return output.isActive();
    }

    /** Releases the relay (its safe state). */
    @Override
    public void close() {
        output.set(false);
    }
}
