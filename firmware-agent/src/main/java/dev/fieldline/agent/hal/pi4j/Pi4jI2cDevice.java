package dev.fieldline.agent.hal.pi4j;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.I2cDevice;
import java.util.Objects;

/**
 * One device on an I2C bus through a Pi4J I2C provider. Register reads are one combined
 * write-register/repeated-start/read transfer, so the chip's auto-increment yields consecutive
 * registers. Reads go through a scratch buffer: Pi4J 2.8.0's linuxfs provider ignores the offset
 * of a register read and writes from index 0.
 */
final class Pi4jI2cDevice implements I2cDevice {
    private final com.pi4j.io.i2c.I2C i2c;
    private final String bus;
    private final int address;
    /** Whether the device has answered since it was opened: a refusal before that means absent. */
    private volatile boolean answered;

    Pi4jI2cDevice(com.pi4j.io.i2c.I2C i2c, String bus, int address) {
        this.i2c = i2c;
        this.bus = bus;
        this.address = address;
    }

    @Override
    public String bus() {
        return bus;
    }

    @Override
    public int address() {
        return address;
    }

    @Override
    public void writeRegister(int register, byte[] data, int offset, int length) {
        checkRegister(register);
        Objects.checkFromIndexSize(offset, length, data.length);
        int n;
        try {
            n = i2c.writeRegister(register, data, offset, length);
        } catch (RuntimeException e) {
            throw BusFaults.translate(e, where("write of", register), answered);
        }
        if (n < 0) {
            throw new HalException(HalException.Reason.IO, where("write of", register) + ": the transfer failed");
        }
        answered = true;
    }

    @Override
    public void readRegister(int register, byte[] buffer, int offset, int length) {
        checkRegister(register);
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            throw new IllegalArgumentException("length must be positive");
        }
        byte[] scratch = new byte[length];
        int n;
        try {
            n = i2c.readRegister(register, scratch, 0, length);
        } catch (RuntimeException e) {
            throw BusFaults.translate(e, where("read of", register), answered);
        }
        if (n != length) {
            throw new HalException(HalException.Reason.IO, where("read of", register) + ": got " + Math.max(n, 0)
                    + " of " + length + " bytes");
        }
        System.arraycopy(scratch, 0, buffer, offset, length);
        answered = true;
    }

    private static void checkRegister(int register) {
        if (register < 0 || register > 0xff) {
            throw new IllegalArgumentException("register must be 0x00..0xff, was " + register);
        }
    }

    private String where(String op, int register) {
        return String.format("I2C %s register 0x%02x at 0x%02x on %s", op, register, address, bus);
    }
}
