package dev.fieldline.agent.hal;

/**
 * One device on an I2C bus, at one 7-bit address. Register reads auto-increment as real chips do: a
 * read of {@code length} bytes from register {@code r} returns registers r, r+1, ... Every method
 * throws {@link HalException} (NACK, ABSENT, TIMEOUT, IO) on failure.
 */
public interface I2cDevice {

    /** The bus name as the board profile calls it, e.g. {@code i2c1}. */
    String bus();

    /** The 7-bit address. */
    int address();

    /** Writes {@code data} starting at register {@code register}. */
    void writeRegister(int register, byte[] data, int offset, int length);

    /** Writes one byte to a register. */
    default void writeRegister(int register, int value) {
        writeRegister(register, new byte[] {(byte) value}, 0, 1);
    }

    /** Reads {@code length} bytes starting at register {@code register} into {@code buffer}. */
    void readRegister(int register, byte[] buffer, int offset, int length);

    /** Reads one register as an unsigned byte. */
    default int readRegister(int register) {
        byte[] b = new byte[1];
        readRegister(register, b, 0, 1);
        return b[0] & 0xff;
    }
}
