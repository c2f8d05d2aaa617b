package dev.fieldline.agent.hal.pi4j.emulated;

/**
 * An MCP3008 at bit level (datasheet DS21295 section 5 and Figure 5-1): with chip select low it
 * ignores MOSI until a 1 (the start bit), takes SGL/DIFF and D2 D1 D0 on the next four clocks, samples
 * on the fifth, drives the null bit 0 on the sixth, then B9..B0, then B1..B9 again LSB first, then 0.
 * Before the null bit MISO is high impedance, read here as 1. Code = floor(1024 · V<sub>IN</sub> /
 * V<sub>REF</sub>) clamped to 0..1023; pseudo-differential pairs per Table 5-2 (IN+ below IN− gives 0).
 * So any frame alignment a driver uses gets the chip's real answer.
 */
public final class EmulatedMcp3008 implements SpiChip {
    private final double referenceVolts;
    private final double[] volts = new double[8];
    private int conversions;

    public EmulatedMcp3008(double referenceVolts) {
        this.referenceVolts = referenceVolts;
    }

    /** Sets the voltage on input {@code channel}. */
    public synchronized void set(int channel, double v) {
        volts[channel] = v;
    }

    /** Conversions done so far. */
    public synchronized int conversions() {
        return conversions;
    }

    @Override
    public synchronized byte[] transfer(byte[] tx) {
        byte[] rx = new byte[tx.length];
        int clock = -1; // clocks since the start bit; -1 before it
        int config = 0;
        int code = 0;
        for (int bit = 0; bit < tx.length * 8; bit++) {
            int mosi = (tx[bit / 8] >> (7 - bit % 8)) & 1;
            int miso = 1;
            if (clock < 0) {
                if (mosi == 1) {
                    clock = 0;
                }
            } else {
                clock++;
                if (clock <= 4) {
                    config = (config << 1) | mosi; // SGL/DIFF, D2, D1, D0
                } else if (clock == 5) {
                    code = sample(config); // sample and hold; MISO still high impedance
                } else if (clock == 6) {
                    miso = 0; // null bit
                } else if (clock <= 16) {
                    miso = (code >> (16 - clock)) & 1; // B9 .. B0
                } else if (clock <= 25) {
                    miso = (code >> (clock - 16)) & 1; // B1 .. B9, LSB first
                } else {
                    miso = 0;
                }
            }
            rx[bit / 8] |= (byte) (miso << (7 - bit % 8));
        }
        return rx;
    }

    private int sample(int config) {
        boolean single = (config & 0x8) != 0;
        int select = config & 0x7;
        double v;
        if (single) {
            v = volts[select];
        } else {
            int plus = select;
            int minus = select ^ 1;
            v = volts[plus] - volts[minus];
        }
        conversions++;
        long code = (long) Math.floor(1024.0 * v / referenceVolts);
        return (int) Math.max(0, Math.min(1023, code));
    }
}
