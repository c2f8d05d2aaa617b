package dev.fieldline.boards;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A board's pins and buses: what exists and what each pin can do, before anything is wired.
 *
 * @param pins the pins by number
 * @param i2c the I2C buses by name, in profile order
 * @param spi the SPI buses by name, in profile order
 * @param uart the UARTs by name, in profile order
 * @param adc the board's own ADC (sim, ESP32), if it has one
 * @param gpioMatrix true when any GPIO can carry any bus signal (the ESP32's GPIO matrix); false
 *     when a bus line must be on a pin that lists it ({@code i2c1.sda} on a Raspberry Pi)
 */
public record Pinout(SortedMap<Integer, Pin> pins, Map<String, I2cBus> i2c, Map<String, SpiBus> spi,
        Map<String, Uart> uart, Optional<BoardProfile.Adc> adc, boolean gpioMatrix) {

    /** No pins, no buses, no ADC. */
    public static final Pinout NONE = new Pinout(new TreeMap<>(), Map.of(), Map.of(), Map.of(), Optional.empty(),
            false);

    public Pinout {
        if (pins == null || i2c == null || spi == null || uart == null || adc == null) {
            throw new IllegalArgumentException("pins, i2c, spi, uart and adc must not be null");
        }
        for (Map.Entry<Integer, Pin> e : pins.entrySet()) {
            if (e.getKey() != e.getValue().number()) {
                throw new IllegalArgumentException("pin " + e.getKey() + " holds pin " + e.getValue().number());
            }
        }
        pins = Collections.unmodifiableSortedMap(new TreeMap<>(pins));
        i2c = Collections.unmodifiableMap(new LinkedHashMap<>(i2c));
        spi = Collections.unmodifiableMap(new LinkedHashMap<>(spi));
        uart = Collections.unmodifiableMap(new LinkedHashMap<>(uart));
    }

    /** Without UARTs. */
    public Pinout(SortedMap<Integer, Pin> pins, Map<String, I2cBus> i2c, Map<String, SpiBus> spi,
            Optional<BoardProfile.Adc> adc, boolean gpioMatrix) {
        this(pins, i2c, spi, Map.of(), adc, gpioMatrix);
    }

    /** The pin with this number, if the board has it. */
    public Optional<Pin> pin(int number) {
        return Optional.ofNullable(pins.get(number));
    }
}
