package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * An emulated I2C chip as the bus sees it: a combined transfer sets the chip's register pointer and
 * then writes or reads bytes. Every handle to the chip's address reaches the same instance.
 * Implementations are called under the bus lock of {@link EmulatedPi}.
 */
public interface I2cChip {

    /** The master wrote {@code data} after the register pointer {@code register}. */
    void write(int register, byte[] data);

    /** The master set the pointer to {@code register} and reads {@code length} bytes. */
    byte[] read(int register, int length);
}
