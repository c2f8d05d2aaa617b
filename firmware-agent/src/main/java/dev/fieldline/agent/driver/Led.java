package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.DigitalOutput;

/** An LED on a digital output (on = high). */
public final class Led {
    private final DigitalOutput output;

    public Led(DigitalOutput output) {
        if (output == null) {
            throw new IllegalArgumentException("output must not be null");
        }
        this.output = output;
    }

    public void set(boolean on) {
        output.write(on);
    }

    public boolean isOn() {
        return output.state();
    }
}
