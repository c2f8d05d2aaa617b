package dev.fieldline.agent.hal;

/**
 * One device on an SPI bus, selected by one chip-select line. Throws {@link HalException} on failure.
 */
public interface SpiDevice {

    /** The bus name as the board profile calls it, e.g. {@code spi0}. */
    String bus();

    /** The chip-select index on that bus. */
    int chipSelect();

    /** Full-duplex transfer: sends {@code tx[0..length)} and fills {@code rx[0..length)}. */
    void transfer(byte[] tx, byte[] rx, int length);
}
