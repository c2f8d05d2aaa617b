package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * A chip with 256 byte-wide registers and auto-increment, as most I2C sensors have: a read of n bytes
 * from register r returns r, r+1, ... (wrapping at 0xff), and a write stores bytes at r, r+1, ...
 * Subclasses give registers behaviour by overriding {@link #onWrite} and {@link #onRead}.
 */
public class RegisterMapChip implements I2cChip {
    protected final byte[] registers = new byte[256];

    @Override
    public synchronized void write(int register, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            int r = (register + i) & 0xff;
            registers[r] = data[i];
            onWrite(r, data[i] & 0xff);
        }
    }

    @Override
    public synchronized byte[] read(int register, int length) {
        beforeRead(register, length);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int r = (register + i) & 0xff;
            out[i] = (byte) onRead(r);
        }
        return out;
    }

    /** Sets registers without side effects (a test preparing the chip). */
    public synchronized void poke(int register, int... values) {
        for (int i = 0; i < values.length; i++) {
            registers[(register + i) & 0xff] = (byte) values[i];
        }
    }

    /** The register's current value (a test checking what the driver wrote). */
    public synchronized int peek(int register) {
        return registers[register & 0xff] & 0xff;
    }

    /** Called after the master wrote {@code value} to {@code register}. */
    protected void onWrite(int register, int value) {
    }

    /** Called once before a burst read (a chip latches its data registers here). */
    protected void beforeRead(int register, int length) {
    }

    /** The byte the master reads from {@code register}. */
    protected int onRead(int register) {
        return registers[register] & 0xff;
    }
}
