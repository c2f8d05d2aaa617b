package dev.fieldline.agent.hal.pi4j.emulated;

import com.pi4j.io.spi.Spi;
import com.pi4j.io.spi.SpiConfig;
import com.pi4j.plugin.mock.provider.spi.MockSpi;
import com.pi4j.plugin.mock.provider.spi.MockSpiProviderImpl;
import java.util.Objects;

/** Pi4J's mock SPI provider, with devices whose transfers reach the emulated chips of an {@link EmulatedPi}. */
final class EmulatedSpiProvider extends MockSpiProviderImpl {
    private final EmulatedPi pi;

    EmulatedSpiProvider(EmulatedPi pi) {
        this.pi = pi;
    }

    @Override
    public Spi create(SpiConfig config) {
        EmulatedSpi spi = new EmulatedSpi(this, config, pi);
        this.context.registry().add(spi);
        return spi;
    }

    /** One chip select: a transfer is answered by the chip there, bit for bit. */
    static final class EmulatedSpi extends MockSpi {
        private final EmulatedPi pi;
        private final int bus;
        private final int chipSelect;

        EmulatedSpi(EmulatedSpiProvider provider, SpiConfig config, EmulatedPi pi) {
            super(provider, config);
            this.pi = pi;
            this.bus = config.bus().getBus();
            this.chipSelect = config.address();
        }

        @Override
        public int transfer(byte[] write, int writeOffset, byte[] read, int readOffset, int numberOfBytes) {
            Objects.checkFromIndexSize(writeOffset, numberOfBytes, write.length);
            Objects.checkFromIndexSize(readOffset, numberOfBytes, read.length);
            byte[] tx = new byte[numberOfBytes];
            System.arraycopy(write, writeOffset, tx, 0, numberOfBytes);
            byte[] rx = pi.spiTransfer(bus, chipSelect, tx);
            System.arraycopy(rx, 0, read, readOffset, numberOfBytes);
            return numberOfBytes;
        }
    }
}
