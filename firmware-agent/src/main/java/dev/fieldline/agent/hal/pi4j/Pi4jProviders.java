package dev.fieldline.agent.hal.pi4j;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which Pi4J provider serves each I/O kind, chosen explicitly by the board profile (never
 * auto-detected). A kind without a provider is not loaded; asking the board for it is an error
 * naming the kind.
 *
 * <table>
 *   <caption>Providers per kind</caption>
 *   <tr><th>kind</th><th>providers</th><th>notes</th></tr>
 *   <tr><td>digital-input, digital-output</td><td>{@code gpiod}, {@code pigpio}</td>
 *       <td>gpiod: every Pi, the only choice on a Pi 5; pigpio: Pi 3/4/Zero 2W, needs root</td></tr>
 *   <tr><td>i2c, spi, pwm</td><td>{@code linuxfs}</td><td>the kernel's /dev/i2c-N, /dev/spidevB.C and sysfs PWM</td></tr>
 * </table>
 *
 * @param byKind the provider name per kind
 */
public record Pi4jProviders(Map<Kind, String> byKind) {

    /** An I/O kind and the provider names that may serve it. */
    public enum Kind {
        DIGITAL_INPUT("digital-input", List.of(GPIOD, PIGPIO)),
        DIGITAL_OUTPUT("digital-output", List.of(GPIOD, PIGPIO)),
        I2C("i2c", List.of(LINUXFS)),
        SPI("spi", List.of(LINUXFS)),
        PWM("pwm", List.of(LINUXFS));

        private final String label;
        private final List<String> allowed;

        Kind(String label, List<String> allowed) {
            this.label = label;
            this.allowed = allowed;
        }

        /** The name the board profile uses, e.g. {@code digital-input}. */
        public String label() {
            return label;
        }

        /** The provider names that can serve this kind. */
        public List<String> allowed() {
            return allowed;
        }
    }

    /** libgpiod through the GPIO character device (/dev/gpiochipN); every Pi, including the Pi 5. */
    public static final String GPIOD = "gpiod";
    /** The pigpio C library (needs root; Pi 3, 4 and Zero 2W, not the Pi 5). */
    public static final String PIGPIO = "pigpio";
    /** The kernel's I2C, SPI and PWM interfaces (/dev/i2c-N, /dev/spidevB.C, /sys/class/pwm). */
    public static final String LINUXFS = "linuxfs";

    public Pi4jProviders {
        if (byKind == null) {
            throw new IllegalArgumentException("byKind must not be null");
        }
        EnumMap<Kind, String> copy = new EnumMap<>(Kind.class);
        for (Map.Entry<Kind, String> e : byKind.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("byKind must not hold null kinds or names: " + byKind);
            }
            copy.put(e.getKey(), e.getValue());
        }
        // checked in kind order, so the first complaint does not depend on the map's order
        for (Map.Entry<Kind, String> e : copy.entrySet()) {
            if (!e.getKey().allowed().contains(e.getValue())) {
                throw new IllegalArgumentException("pi4j provider '" + e.getValue() + "' cannot serve "
                        + e.getKey().label() + "; valid: " + String.join(", ", e.getKey().allowed()));
            }
        }
        byKind = Collections.unmodifiableMap(copy);
    }

    /**
     * Digital input and output through {@code digital} ({@code gpiod} or {@code pigpio}); I2C, SPI and
     * PWM through linuxfs.
     */
    public static Pi4jProviders of(String digital) {
        return new Pi4jProviders(Map.of(Kind.DIGITAL_INPUT, digital, Kind.DIGITAL_OUTPUT, digital,
                Kind.I2C, LINUXFS, Kind.SPI, LINUXFS, Kind.PWM, LINUXFS));
    }

    /** The provider chosen for {@code kind}, if any. */
    public Optional<String> provider(Kind kind) {
        return Optional.ofNullable(byKind.get(kind));
    }

    /** Also uses {@code provider} for {@code kind}. */
    public Pi4jProviders with(Kind kind, String provider) {
        EnumMap<Kind, String> copy = new EnumMap<>(Kind.class);
        copy.putAll(byKind);
        copy.put(kind, provider);
        return new Pi4jProviders(copy);
    }

    /** Without a provider for {@code kind}. */
    public Pi4jProviders without(Kind kind) {
        EnumMap<Kind, String> copy = new EnumMap<>(Kind.class);
        copy.putAll(byKind);
        copy.remove(kind);
        return new Pi4jProviders(copy);
    }
}
