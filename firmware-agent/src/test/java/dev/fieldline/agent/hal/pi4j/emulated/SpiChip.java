package dev.fieldline.agent.hal.pi4j.emulated;

/** An emulated SPI chip: one full-duplex transfer with chip select held low throughout. */
public interface SpiChip {

    /** The bytes the chip drives on MISO while the master clocks out {@code tx}. */
    byte[] transfer(byte[] tx);
}
