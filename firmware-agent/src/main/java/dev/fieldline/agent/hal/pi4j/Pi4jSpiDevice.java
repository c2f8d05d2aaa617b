package dev.fieldline.agent.hal.pi4j;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.SpiDevice;
import java.util.Objects;

/**
 * One chip select of a SPI bus through a Pi4J SPI provider. SPI has no acknowledge: an absent chip
 * shows as bytes that make no sense, which the driver checks.
 */
final class Pi4jSpiDevice implements SpiDevice {
    private final com.pi4j.io.spi.Spi spi;
    private final String bus;
    private final int chipSelect;

    Pi4jSpiDevice(com.pi4j.io.spi.Spi spi, String bus, int chipSelect) {
        this.spi = spi;
        this.bus = bus;
        this.chipSelect = chipSelect;
    }

    @Override
    public String bus() {
        return bus;
    }

    @Override
    public int chipSelect() {
        return chipSelect;
    }

    @Override
    public void transfer(byte[] tx, byte[] rx, int length) {
        Objects.checkFromIndexSize(0, length, tx.length);
        Objects.checkFromIndexSize(0, length, rx.length);
        int n;
        try {
            n = spi.transfer(tx, 0, rx, 0, length);
        } catch (RuntimeException e) {
            throw BusFaults.translate(e, where(), true);
        }
        // linuxfs returns the length or -1 (ioctl failed); the mock returns 0
        if (n < 0) {
            throw new HalException(HalException.Reason.IO, where() + ": the transfer failed");
        }
    }

    private String where() {
        return "SPI transfer on " + bus + " chip select " + chipSelect;
    }
}
