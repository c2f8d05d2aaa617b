package dev.fieldline.agent.hal;

/** A PWM output. Throws {@link HalException} on failure. */
public interface PwmOutput {

    /**
     * Sets the output.
     *
     * @param frequencyHz PWM frequency, positive
     * @param dutyCycle fraction of the period the output is high, 0..1
     */
    void set(double frequencyHz, double dutyCycle);

    /** Stops the output (held low). */
    void off();
}
