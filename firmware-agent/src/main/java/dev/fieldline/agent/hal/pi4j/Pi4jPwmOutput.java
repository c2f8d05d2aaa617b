package dev.fieldline.agent.hal.pi4j;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.PwmOutput;

/** A hardware PWM channel through a Pi4J PWM provider (linuxfs: sysfs PWM). */
final class Pi4jPwmOutput implements PwmOutput {
    private final com.pi4j.io.pwm.Pwm pwm;
    private final int pin;

    Pi4jPwmOutput(com.pi4j.io.pwm.Pwm pwm, int pin) {
        this.pwm = pwm;
        this.pin = pin;
    }

    int pin() {
        return pin;
    }

    @Override
    public synchronized void set(double frequencyHz, double dutyCycle) {
        if (!(frequencyHz >= 1 && frequencyHz <= 100_000_000)) {
            throw new IllegalArgumentException("frequencyHz must be in 1..1e8, was " + frequencyHz);
        }
        if (!(dutyCycle >= 0 && dutyCycle <= 1)) {
            throw new IllegalArgumentException("dutyCycle must be in 0..1, was " + dutyCycle);
        }
        try {
            // Pi4J takes whole hertz and a duty cycle in percent
            pwm.on(dutyCycle * 100.0, (int) Math.round(frequencyHz));
        } catch (RuntimeException e) {
            throw new HalException(HalException.Reason.IO, "PWM on GPIO " + pin + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void off() {
        try {
            pwm.off();
        } catch (RuntimeException e) {
            throw new HalException(HalException.Reason.IO, "PWM off on GPIO " + pin + " failed: " + e.getMessage(), e);
        }
    }

    /** The duty cycle Pi4J holds, 0..1 (0 when off). */
    double dutyCycle() {
        return pwm.isOn() ? pwm.getDutyCycle() / 100.0 : 0.0;
    }
}
