package dev.fieldline.boards;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An SPI bus of a board.
 *
 * @param name the bus name, {@code spi} and its number ({@code spi0}); the number is the controller
 *     (ESP32: {@code machine.SPI(2)}) and, on Linux, the bus of {@code /dev/spidevB.C}
 * @param mosi controller-out pin
 * @param miso controller-in pin
 * @param sclk clock pin
 * @param chipSelects the pin of each chip select, by chip-select index
 * @param device the Linux device file prefix ({@code /dev/spidev0}: chip select C is {@code /dev/spidev0.C});
 *     required on {@code pi4j}
 */
public record SpiBus(String name, int mosi, int miso, int sclk, SortedMap<Integer, Integer> chipSelects,
        Optional<String> device) {
    /** Bus names: {@code spi0} .. {@code spi99}. */
    public static final Pattern NAME = Pattern.compile("spi[0-9]{1,2}");

    public SpiBus {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("an SPI bus is named spi and its number (spi0, spi1, ...), was '" + name + "'");
        }
        if (chipSelects == null || chipSelects.isEmpty()) {
            throw new IllegalArgumentException("an SPI bus needs at least one chip select");
        }
        if (device == null) {
            throw new IllegalArgumentException("device must not be null");
        }
        chipSelects = Collections.unmodifiableSortedMap(new TreeMap<>(chipSelects));
    }

    public SpiBus(String name, int mosi, int miso, int sclk, Map<Integer, Integer> chipSelects, Optional<String> device) {
        this(name, mosi, miso, sclk, new TreeMap<>(chipSelects), device);
    }

    /** The bus number: the controller on an ESP32, B of {@code /dev/spidevB.C} on Linux. */
    public int number() {
        return Buses.number(name);
    }

    /** The Linux device file of chip select {@code cs}, e.g. {@code /dev/spidev0.1}. */
    public Optional<String> devicePath(int cs) {
        return device.map(d -> d + "." + cs);
    }
}
