package dev.fieldline.boards;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An I2C bus of a board.
 *
 * @param name the bus name, {@code i2c} and its number ({@code i2c1}); the number is the controller
 *     (ESP32: {@code machine.I2C(1)}) and, on Linux, the adapter ({@code /dev/i2c-1})
 * @param sda the data pin
 * @param scl the clock pin
 * @param device the Linux device file ({@code /dev/i2c-1}); required on {@code pi4j}
 * @param frequencyHz the bus clock
 */
public record I2cBus(String name, int sda, int scl, Optional<String> device, int frequencyHz) {
    /** Bus names: {@code i2c0} .. {@code i2c99}. */
    public static final Pattern NAME = Pattern.compile("i2c[0-9]{1,2}");
    public static final int DEFAULT_FREQUENCY_HZ = 100_000;

    public I2cBus {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an I2C bus is named i2c and its number (i2c0, i2c1, ...), was '" + name + "'");
        }
        if (sda == scl) {
            throw new IllegalArgumentException("sda and scl must be different pins, both were " + sda);
        }
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        if (frequencyHz < 1_000 || frequencyHz > 3_400_000) {
            throw new IllegalArgumentException("frequency must be 1000..3400000 Hz, was " + frequencyHz);
        }
    }

    /** The bus number: the controller on an ESP32, the adapter on Linux. */
    public int number() {
        return Buses.number(name);
    }
}
