package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalOutput;

/** A digital output whose active level is high or, when wired active-low, low. */
final class ActiveLevelOutput {
    private final DigitalOutput output;
    private final boolean activeLow;

    ActiveLevelOutput(DigitalOutput output, boolean activeLow) {
        if (output == null) {
            throw new IllegalArgumentException("output must not be null");
        }
        this.output = output;
        this.activeLow = activeLow;
    }

    void set(boolean active) {
        output.write(active != activeLow);
    }

    boolean isActive() {
        return output.state() != activeLow;
    }
}
