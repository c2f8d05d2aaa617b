package dev.fieldline.boards;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pin of a board, by the board's own numbering (Raspberry Pi: BCM GPIO number; ESP32: GPIO
 * number), with what it can do.
 *
 * <p>Functions, as written in a profile:
 * <ul>
 *   <li>{@code gpio}: digital input and output (with pull resistors)
 *   <li>{@code input}: digital input only, no pull resistors (ESP32 GPIO34..39)
 *   <li>{@code pwm}: PWM on any frequency (ESP32 LEDC); {@code pwmC.N}: hardware PWM chip C, channel N (Pi)
 *   <li>{@code adcU.N}: channel N of the chip's ADC unit U (ESP32 ADC1; never on a Raspberry Pi)
 *   <li>{@code i2cB.sda}, {@code i2cB.scl}: that line of I2C bus B
 *   <li>{@code spiB.mosi}, {@code spiB.miso}, {@code spiB.sclk}, {@code spiB.ceN}: SPI bus B and its chip selects
 *   <li>{@code uartB.tx}, {@code uartB.rx}, {@code uartB.rts}, {@code uartB.cts}
 * </ul>
 *
 * @param number the board's pin number (GPIO number)
 * @param header the pin's position on the board's header, if it is broken out there
 * @param functions what the pin can do, in profile order
 * @param reserved why the pin must not be used at all (flash, the bridge's own serial link), if so
 * @param strapping what the pin selects at reset, if it is a strapping pin (usable, with a warning)
 */
public record Pin(int number, OptionalInt header, List<String> functions, Optional<String> reserved,
        Optional<String> strapping) {

    /** The grammar of one function. */
    public static final Pattern FUNCTION = Pattern.compile(
            "gpio|input|pwm|pwm[0-9]\\.[0-9]{1,2}|adc[0-9]\\.[0-9]{1,2}|i2c[0-9]{1,2}\\.(?:sda|scl)"
                    + "|spi[0-9]{1,2}\\.(?:mosi|miso|sclk|ce[0-9])|uart[0-9]{1,2}\\.(?:tx|rx|rts|cts)");
    private static final Pattern ADC = Pattern.compile("adc([0-9])\\.([0-9]{1,2})");
    private static final Pattern HW_PWM = Pattern.compile("pwm([0-9])\\.([0-9]{1,2})");

    public Pin {
        if (number < 0 || number > 255) {
            throw new IllegalArgumentException("pin number must be 0..255, was " + number);
        }
        if (header == null || reserved == null || strapping == null) {
            throw new IllegalArgumentException("header, reserved and strapping must not be null");
        }
        functions = List.copyOf(functions);
        for (String f : functions) {
            if (!FUNCTION.matcher(f).matches()) {
                throw new IllegalArgumentException("unknown pin function '" + f + "'");
            }
        }
    }

    /** True if the pin has this function, e.g. {@code i2c1.sda}. */
    public boolean has(String function) {
        return functions.contains(function);
    }

    /** True if the pin can drive an output. */
    public boolean canOutput() {
        return has("gpio");
    }

    /** True if the pin can be read as a digital input. */
    public boolean canInput() {
        return has("gpio") || has("input");
    }

    /** True if the pin has internal pull-up and pull-down resistors (input-only pins have none). */
    public boolean hasPulls() {
        return has("gpio");
    }

    /** The ADC unit and channel on this pin, if it has one. */
    public Optional<AdcChannel> adc() {
        for (String f : functions) {
            Matcher m = ADC.matcher(f);
            if (m.matches()) {
                return Optional.of(new AdcChannel(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            }
        }
        return Optional.empty();
    }

    /** The hardware PWM chip and channel on this pin ({@code pwmC.N}), if it has one. */
    public Optional<PwmChannel> hardwarePwm() {
        for (String f : functions) {
            Matcher m = HW_PWM.matcher(f);
            if (m.matches()) {
                return Optional.of(new PwmChannel(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            }
        }
        return Optional.empty();
    }

    /** How people name the pin: {@code GPIO17 (header 11)}. */
    public String label() {
        return "GPIO" + number + header.stream().mapToObj(h -> " (header " + h + ")").findFirst().orElse("");
    }

    /**
     * One ADC input.
     *
     * @param unit the ADC unit (ESP32: 1)
     * @param channel the channel of that unit
     */
    public record AdcChannel(int unit, int channel) {
        @Override
        public String toString() {
            return "adc" + unit + "." + channel;
        }
    }

    /**
     * One hardware PWM output.
     *
     * @param chip the PWM chip (Linux {@code /sys/class/pwm/pwmchipC} on a Pi 3/4)
     * @param channel its channel
     */
    public record PwmChannel(int chip, int channel) {
    }
}
