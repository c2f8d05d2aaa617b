package dev.fieldline.boards;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which HAL provider drives each kind of I/O, as the profile chooses it. Nothing falls back to
 * another provider: a kind that is not chosen is not available, and a chosen provider that cannot
 * start stops the agent.
 *
 * @param digital digital in/out: {@code gpiod} or {@code pigpio} (pi4j; a Raspberry Pi 5 only {@code gpiod})
 * @param i2c I2C: {@code linuxfs} (pi4j)
 * @param spi SPI: {@code linuxfs} (pi4j)
 * @param pwm PWM: {@code linuxfs} (pi4j)
 * @param serial serial ports: {@code jserialcomm} (pi4j has none on a Pi 5)
 * @param ble Bluetooth LE sensors: {@code bluez} (BlueZ over D-Bus, on the host the agent runs on)
 * @param bleAdapter the BlueZ adapter, e.g. {@code hci0}
 * @param bridge the ESP32 front end's serial link ({@code esp32-bridge} only)
 */
public record Providers(Optional<String> digital, Optional<String> i2c, Optional<String> spi, Optional<String> pwm,
        Optional<String> serial, Optional<String> ble, String bleAdapter, Optional<SerialBridge> bridge) {

    public static final String GPIOD = "gpiod";
    public static final String PIGPIO = "pigpio";
    public static final String LINUXFS = "linuxfs";
    public static final String JSERIALCOMM = "jserialcomm";
    public static final String BLUEZ = "bluez";
    public static final String DEFAULT_BLE_ADAPTER = "hci0";

    /** I/O kinds, as the keys of a profile's {@code providers:} section. */
    public static final List<String> KINDS = List.of("digital", "i2c", "spi", "pwm", "serial", "ble");

    /** None chosen (the {@code sim} platform). */
    public static final Providers NONE = new Providers(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_BLE_ADAPTER, Optional.empty());

    public Providers {
        if (digital == null || i2c == null || spi == null || pwm == null || serial == null || ble == null
                || bleAdapter == null || bridge == null) {
            throw new IllegalArgumentException("no provider field may be null (use Optional.empty())");
        }
    }

    /** The provider of an I/O kind ({@link #KINDS}), if one is chosen. */
    public Optional<String> of(String kind) {
        return switch (kind) {
            case "digital" -> digital;
            case "i2c" -> i2c;
            case "spi" -> spi;
            case "pwm" -> pwm;
            case "serial" -> serial;
            case "ble" -> ble;
            default -> throw new IllegalArgumentException("unknown I/O kind '" + kind + "'; kinds: " + KINDS);
        };
    }

    /** The chosen providers by kind, in {@link #KINDS} order. */
    public Map<String, String> chosen() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k : KINDS) {
            of(k).ifPresent(p -> m.put(k, p));
        }
        return m;
    }
}
