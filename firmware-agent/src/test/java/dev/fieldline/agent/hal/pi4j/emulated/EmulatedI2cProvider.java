package dev.fieldline.agent.hal.pi4j.emulated;

import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfig;
import com.pi4j.plugin.mock.provider.i2c.MockI2C;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProviderImpl;
import java.util.Objects;

/**
 * Pi4J's mock I2C provider, with devices that reach the emulated chips of an {@link EmulatedPi}
 * instead of the mock's per-handle FIFO per register.
 */
final class EmulatedI2cProvider extends MockI2CProviderImpl {
    private final EmulatedPi pi;

    EmulatedI2cProvider(EmulatedPi pi) {
        this.pi = pi;
    }

    @Override
    public I2C create(I2CConfig config) {
        EmulatedI2c i2c = new EmulatedI2c(this, config, pi);
        this.context.registry().add(i2c);
        return i2c;
    }

    /** A handle to one address: every transfer goes to the chip there. */
    static final class EmulatedI2c extends MockI2C {
        private final EmulatedPi pi;
        private final int bus;
        private final int address;
        private int pointer;

        EmulatedI2c(EmulatedI2cProvider provider, I2CConfig config, EmulatedPi pi) {
            super(provider, config);
            this.pi = pi;
            this.bus = config.bus();
            this.address = config.device();
        }

        @Override
        public int writeRegister(int register, byte b) {
            pi.i2cWrite(bus, address, register, new byte[] {b});
            return 1;
        }

        @Override
        public int writeRegister(int register, byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, data.length);
            byte[] copy = new byte[length];
            System.arraycopy(data, offset, copy, 0, length);
            pi.i2cWrite(bus, address, register, copy);
            return length;
        }

        @Override
        public int readRegister(int register) {
            return pi.i2cRead(bus, address, register, 1)[0] & 0xff;
        }

        @Override
        public int readRegister(int register, byte[] buffer, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            byte[] data = pi.i2cRead(bus, address, register, length);
            System.arraycopy(data, 0, buffer, offset, length);
            return length;
        }

        /** A raw write: the first byte sets the register pointer, the rest are data. */
        @Override
        public int write(byte[] data, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, data.length);
            if (length == 0) {
                return 0;
            }
            pointer = data[offset] & 0xff;
            byte[] rest = new byte[length - 1];
            System.arraycopy(data, offset + 1, rest, 0, rest.length);
            pi.i2cWrite(bus, address, pointer, rest);
            return length;
        }

        /** A raw read from the register pointer the last raw write set. */
        @Override
        public int read(byte[] buffer, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            byte[] data = pi.i2cRead(bus, address, pointer, length);
            System.arraycopy(data, 0, buffer, offset, length);
            return length;
        }
    }
}
