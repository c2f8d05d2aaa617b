package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.boards.BoardProfile;

/**
 * TMP36 analog temperature sensor: 10 mV/°C with 500 mV at 0 °C. With a 12-bit ADC and a 3.3 V
 * reference: voltage = raw·3.3/4095, °C = (voltage − 0.5)·100.
 */
public final class Tmp36 {
    /** SenML unit of the readings. */
    public static final String UNIT = "Cel";

    private final AnalogInput input;
    private final BoardProfile.Adc adc;

    public Tmp36(AnalogInput input, BoardProfile.Adc adc) {
        if (input == null || adc == null) {
            throw new IllegalArgumentException("input and adc must not be null");
        }
        this.input = input;
        this.adc = adc;
    }

    /** Reads the sensor once, °C. */
    public double readCelsius() {
        return celsius(input.read(), adc);
    }

    /** Voltage at the ADC pin for a raw count: raw·Vref/max. */
    public static double volts(int raw, BoardProfile.Adc adc) {
        if (raw < 0 || raw > adc.maxCount()) {
            throw new IllegalArgumentException("raw must be in 0.." + adc.maxCount() + ", was " + raw);
        }
        return raw * adc.referenceVolts() / adc.maxCount();
    }

    /** Temperature for a raw count: (volts − 0.5)·100. */
    public static double celsius(int raw, BoardProfile.Adc adc) {
        return (volts(raw, adc) - 0.5) * 100.0;
    }
}
