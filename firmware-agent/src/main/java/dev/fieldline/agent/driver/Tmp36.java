package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.boards.BoardProfile;
import java.util.List;

/**
 * TMP36 analog temperature sensor: 10 mV/°C with 500 mV at 0 °C. With a 12-bit ADC and a 3.3 V
 * reference: voltage = raw·3.3/4095, °C = (voltage − 0.5)·100. On a Pi, behind an
 * {@link Mcp3008} channel with {@link Mcp3008#adc()}.
 *
 * <p>As a {@link SensorDriver} it refuses voltages a TMP36 cannot put out (it gives 0.1 V at −40 °C
 * and 2.0 V at 150 °C): below 0.05 V or above 2.1 V the input is open, shorted or on the wrong channel,
 * and the read fails with GARBAGE.
 */
public final class Tmp36 implements SensorDriver {
    /** SenML unit of the readings. */
    public static final String UNIT = "Cel";
    /** Lowest plausible output voltage. */
    static final double MIN_VOLTS = 0.05;
    /** Highest plausible output voltage. */
    static final double MAX_VOLTS = 2.1;

    private static final List<Quantity> QUANTITIES = List.of(new Quantity("temperature", UNIT));

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

    @Override
    public List<Quantity> quantities() {
        return QUANTITIES;
    }

    @Override
    public void read(double[] values) {
        int raw = input.read();
        double v = volts(raw, adc);
        if (v < MIN_VOLTS || v > MAX_VOLTS) {
            throw new HalException(HalException.Reason.GARBAGE, String.format(
                    "TMP36 input at %.3f V (count %d): a TMP36 gives 0.1-2.0 V; the input is open, shorted or"
                            + " on the wrong channel", v, raw));
        }
        values[0] = celsiusAt(v);
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
        return celsiusAt(volts(raw, adc));
    }

    private static double celsiusAt(double volts) {
        return (volts - 0.5) * 100.0;
    }
}
