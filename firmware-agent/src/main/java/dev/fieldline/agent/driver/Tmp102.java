package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import java.time.Duration;
import java.util.List;

/**
 * Texas Instruments TMP102 digital temperature sensor on I2C (addresses 0x48–0x4B). Registers are 16
 * bits, MSB first, chosen by a pointer: temperature (0x00), configuration (0x01), T<sub>LOW</sub>,
 * T<sub>HIGH</sub>. The temperature is two's complement in 0.0625 °C steps, left-justified: 12 bits
 * in normal mode (−55 to 128 °C), 13 bits in extended mode (to 150 °C); bit 0 of the low byte tells
 * which (EM), so a reading decodes correctly while a mode change takes effect.
 *
 * <p>In {@link Mode#ONE_SHOT} the chip stays shut down (SD) and each read starts one conversion by
 * writing OS, waits for it (26 ms typical, 35 ms max) and polls OS until the chip reports it done.
 *
 * <p>Faults: an I2C failure keeps its reason; a configuration register whose fixed bits are wrong
 * (R1 R0 read 11, the low nibble reads 0000, as on every TMP102) or a temperature with its reserved
 * bits set is GARBAGE (an all-0xFF bus reads 0xFFFF, which fails both). After a failure the next read
 * configures the chip again.
 */
public final class Tmp102 implements SensorDriver {
    static final int TEMPERATURE = 0x00;
    static final int CONFIGURATION = 0x01;
    /** Typical and worst-case conversion time (datasheet: 26 ms typical, 35 ms maximum). */
    static final Duration CONVERSION = Duration.ofMillis(26);
    static final Duration CONVERSION_MAX = Duration.ofMillis(35);

    private static final List<Quantity> QUANTITIES = List.of(new Quantity("temperature", "Cel"));

    /** Continuous conversions at a rate, or one conversion per read with the chip shut down between. */
    public enum Mode { CONTINUOUS, ONE_SHOT }

    /** Conversion rate in continuous mode (CR1 CR0). */
    public enum Rate {
        HZ_0_25(0), HZ_1(1), HZ_4(2), HZ_8(3);

        final int bits;

        Rate(int bits) {
            this.bits = bits;
        }
    }

    /**
     * @param extended 13-bit extended mode (EM), reaching 150 °C
     * @param mode continuous or one-shot
     * @param rate conversion rate in continuous mode
     * @param timeout how long a one-shot conversion may take before the read fails with TIMEOUT
     */
    public record Config(boolean extended, Mode mode, Rate rate, Duration timeout) {
        public Config {
            if (mode == null || rate == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("mode, rate and a positive timeout are required");
            }
        }

        /** Normal (12-bit) continuous mode at 4 Hz, as the chip powers up. */
        public static Config defaults() {
            return new Config(false, Mode.CONTINUOUS, Rate.HZ_4, Duration.ofMillis(200));
        }
    }

    private final I2cDevice device;
    private final Config config;
    private final Pause pause;
    private boolean configured;

    public Tmp102(I2cDevice device, Config config) {
        this(device, config, Pause.SLEEP);
    }

    public Tmp102(I2cDevice device, Config config, Pause pause) {
        if (device == null || config == null || pause == null) {
            throw new IllegalArgumentException("device, config and pause must not be null");
        }
        this.device = device;
        this.config = config;
        this.pause = pause;
    }

    @Override
    public List<Quantity> quantities() {
        return QUANTITIES;
    }

    @Override
    public synchronized void reinitialise() {
        configured = false;
        configure();
    }

    @Override
    public synchronized void read(double[] values) {
        try {
            if (!configured) {
                configure();
            }
            if (config.mode() == Mode.ONE_SHOT) {
                convertOnce();
            }
            byte[] t = new byte[2];
            device.readRegister(TEMPERATURE, t, 0, 2);
            values[0] = celsius(t[0], t[1], where());
        } catch (HalException e) {
            configured = false;
            throw e;
        }
    }

    private void configure() {
        int current = readConfiguration();
        checkFixedBits(current);
        int high = 0x60 | (config.mode() == Mode.ONE_SHOT ? 0x01 : 0);
        int low = (config.rate().bits << 6) | (config.extended() ? 0x10 : 0);
        device.writeRegister(CONFIGURATION, new byte[] {(byte) high, (byte) low}, 0, 2);
        int written = readConfiguration();
        int expected = (high << 8) | low;
        // AL (bit 5 of the low byte) and OS are the chip's to set
        if ((written & ~0x8020) != (expected & ~0x8020)) {
            throw new HalException(Reason.GARBAGE, String.format(
                    "%s: wrote configuration 0x%04x but it reads 0x%04x; this is not a TMP102", where(), expected, written));
        }
        if (config.mode() == Mode.CONTINUOUS) {
            // the first conversion after power-up or a mode change
            pause.pause(CONVERSION_MAX);
        }
        configured = true;
    }

    private void convertOnce() {
        byte[] start = {(byte) (0x80 | 0x60 | 0x01), (byte) ((config.rate().bits << 6) | (config.extended() ? 0x10 : 0))};
        device.writeRegister(CONFIGURATION, start, 0, 2);
        pause.pause(CONVERSION);
        long deadline = System.nanoTime() + config.timeout().toNanos();
        while (true) {
            // judged before the read, so that a stall of this thread is followed by one more look
            boolean late = System.nanoTime() - deadline > 0;
            int c = readConfiguration();
            checkFixedBits(c);
            if ((c & 0x8000) != 0) {
                return;
            }
            if (late) {
                throw new HalException(Reason.TIMEOUT, where() + ": one-shot conversion not done after "
                        + config.timeout().toMillis() + " ms (OS still 0)");
            }
            pause.pause(Duration.ofMillis(2));
        }
    }

    private int readConfiguration() {
        byte[] c = new byte[2];
        device.readRegister(CONFIGURATION, c, 0, 2);
        return ((c[0] & 0xff) << 8) | (c[1] & 0xff);
    }

    private void checkFixedBits(int configuration) {
        if ((configuration & 0x6000) != 0x6000 || (configuration & 0x000f) != 0) {
            throw new HalException(Reason.GARBAGE, String.format("%s: configuration reads 0x%04x; a TMP102 reads"
                    + " R1 R0 = 11 and a low nibble of 0000%s", where(), configuration,
                    configuration == 0xffff ? " (all-0xFF: nothing drives the bus)" : ""));
        }
    }

    /**
     * The temperature in a temperature register's two bytes (MSB, LSB): 12-bit when bit 0 (EM) is 0,
     * 13-bit when it is 1.
     */
    static double celsius(byte msb, byte lsb, String where) {
        int raw = ((msb & 0xff) << 8) | (lsb & 0xff);
        boolean extended = (raw & 0x0001) != 0;
        int reserved = extended ? 0x0006 : 0x000e;
        if ((raw & reserved) != 0) {
            throw new HalException(Reason.GARBAGE, String.format("%s: temperature register 0x%04x has reserved bits"
                    + " set%s", where, raw, raw == 0xffff ? " (all-0xFF: nothing drives the bus)" : ""));
        }
        int counts = extended ? ((short) raw) >> 3 : ((short) raw) >> 4;
        double c = counts * 0.0625;
        if (c < -55.0 || c > 150.0) {
            throw new HalException(Reason.GARBAGE, String.format("%s: %.4f °C is outside the TMP102's -55..150 °C",
                    where, c));
        }
        return c;
    }

    private String where() {
        return String.format("TMP102 at 0x%02x on %s", device.address(), device.bus());
    }
}
