package dev.fieldline.agent.hal.pi4j.emulated;

import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.DeviceSpec;

/**
 * Puts an emulated chip behind every I2C and SPI device a board profile wires, reading plausible
 * values, so that a whole agent can run on a Pi profile in simulation: a BME280 gives Bosch's worked
 * example (25.08 °C, 100653 Pa, about 50 %RH), a TMP102 21.5 °C, an MCP3008 0.715 V (21.5 °C for a
 * TMP36) on every channel.
 */
public final class ProfileChips {
    /** Bosch's worked example (BMP280 datasheet 3.12) with a BME280's humidity trimming. */
    public static final int[] BME280_T = {27504, 26435, -1000};
    public static final int[] BME280_P = {36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000};
    public static final int[] BME280_H = {75, 360, 0, 325, 50, 30};
    public static final int BME280_ADC_T = 519888;
    public static final int BME280_ADC_P = 415148;
    public static final int BME280_ADC_H = 30000;
    public static final double TMP102_CELSIUS = 21.5;
    public static final double MCP3008_VOLTS = 0.715;

    private ProfileChips() {
    }

    /** Attaches the chips of {@code profile}'s devices to {@code pi}; returns {@code pi}. */
    public static EmulatedPi attach(EmulatedPi pi, BoardProfile profile) {
        profile.devices().forEach(d -> {
            if (d instanceof DeviceSpec.Bme280 b) {
                EmulatedBme280 chip = new EmulatedBme280(BME280_T, BME280_P, BME280_H);
                chip.measure(BME280_ADC_T, BME280_ADC_P, BME280_ADC_H);
                pi.attach(number(b.bus()), b.address(), chip);
            } else if (d instanceof DeviceSpec.Tmp102 t) {
                EmulatedTmp102 chip = new EmulatedTmp102();
                chip.setCelsius(TMP102_CELSIUS);
                pi.attach(number(t.bus()), t.address(), chip);
            } else if (d instanceof DeviceSpec.Mcp3008 m) {
                EmulatedMcp3008 chip = new EmulatedMcp3008(m.referenceVolts());
                for (int ch = 0; ch < 8; ch++) {
                    chip.set(ch, MCP3008_VOLTS);
                }
                pi.attachSpi(number(m.bus()), m.chipSelect(), chip);
            }
        });
        return pi;
    }

    /** The number of a bus named like {@code i2c1} or {@code spi0}. */
    static int number(String bus) {
        return Integer.parseInt(bus.replaceFirst("^(i2c|spi)-?", ""));
    }
}
