package dev.fieldline.boards;

/** Holder of the bus records; see {@link I2cBus} and {@link SpiBus}. */
final class Buses {
    private Buses() {
    }

    /** The number in a bus name: {@code i2c1} → 1, {@code spi2} → 2. */
    static int number(String name) {
        int i = name.length();
        while (i > 0 && Character.isDigit(name.charAt(i - 1))) {
            i--;
        }
        if (i == name.length()) {
            throw new IllegalArgumentException("bus name '" + name + "' must end in its number, e.g. i2c1 or spi0");
        }
        return Integer.parseInt(name.substring(i));
    }
}
