package dev.fieldline.agent.driver;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bosch BME280 temperature, pressure and humidity sensor on I2C (0x76 or 0x77), after datasheet
 * BST-BME280-DS002.
 *
 * <p>Initialisation: chip id (0xD0 must read 0x60), soft reset (0xB6 to 0xE0), wait until the NVM
 * copy is done (status 0xF3 bit 0, im_update), read the trimming parameters (0x88–0xA1, 0xE1–0xE7),
 * then configure in sleep mode: config (0xF5: standby, IIR filter), ctrl_hum (0xF2; takes effect
 * with the next ctrl_meas write), ctrl_meas (0xF4: oversampling, mode), and read them back.
 *
 * <p>A read in {@link Mode#FORCED} writes ctrl_meas with mode 01, waits the typical measurement
 * time, polls status bit 3 (measuring) until 0, then burst-reads 0xF7–0xFE (pressure, temperature,
 * humidity) in one transfer, so the chip's shadowing keeps the three from one measurement. In
 * {@link Mode#NORMAL} the chip measures on its own every standby period and a read is the burst alone.
 * Raw values go through the datasheet's integer compensation ({@link Bme280Calibration}).
 *
 * <p>Faults: I2C failures keep their reason (ABSENT, NACK, TIMEOUT); a wrong chip id (a BMP280 reads
 * 0x56–0x58, an empty bus with pull-ups 0xFF), blank trimming parameters, registers that do not keep
 * what was written, a measurement still at its reset value (0x80000 / 0x8000) or a result outside the
 * sensor's range are GARBAGE; a measurement that does not finish in time is TIMEOUT. After any
 * failure the next read initialises the chip again; {@link #reinitialise} does it at once.
 */
public final class Bme280 implements SensorDriver {
    static final int CHIP_ID = 0xD0;
    static final int RESET = 0xE0;
    static final int CTRL_HUM = 0xF2;
    static final int STATUS = 0xF3;
    static final int CTRL_MEAS = 0xF4;
    static final int CONFIG = 0xF5;
    static final int DATA = 0xF7;
    static final int CALIB_TP = 0x88;
    static final int CALIB_H = 0xE1;
    /** What 0xD0 reads on a BME280. */
    static final int BME280_ID = 0x60;
    static final int SOFT_RESET = 0xB6;
    /** Start-up time after power-on or soft reset (datasheet table 1: 2 ms). */
    static final Duration STARTUP = Duration.ofMillis(2);
    private static final Duration POLL = Duration.ofMillis(1);

    /** Oversampling of one measurement (osrs_x); SKIPPED leaves the quantity out. */
    public enum Oversampling {
        SKIPPED(0, 0), X1(1, 1), X2(2, 2), X4(3, 4), X8(4, 8), X16(5, 16);

        final int bits;
        final int samples;

        Oversampling(int bits, int samples) {
            this.bits = bits;
            this.samples = samples;
        }
    }

    /** IIR filter coefficient (config bits 4..2). */
    public enum Filter {
        OFF(0), X2(1), X4(2), X8(3), X16(4);

        final int bits;

        Filter(int bits) {
            this.bits = bits;
        }
    }

    /** Inactive time between measurements in normal mode (t_sb, config bits 7..5). */
    public enum Standby {
        MS_0_5(0), MS_62_5(1), MS_125(2), MS_250(3), MS_500(4), MS_1000(5), MS_10(6), MS_20(7);

        final int bits;

        Standby(int bits) {
            this.bits = bits;
        }
    }

    /** Forced: one measurement per read, asleep between (the datasheet's choice for weather monitoring). Normal: continuous. */
    public enum Mode { FORCED, NORMAL }

    /**
     * @param mode forced or normal
     * @param temperature temperature oversampling; never SKIPPED (pressure and humidity need t_fine)
     * @param pressure pressure oversampling, SKIPPED for none
     * @param humidity humidity oversampling, SKIPPED for none
     * @param filter IIR filter
     * @param standby standby time in normal mode
     * @param timeout how long a measurement or the reset may take before the read fails with TIMEOUT
     */
    public record Config(Mode mode, Oversampling temperature, Oversampling pressure, Oversampling humidity,
            Filter filter, Standby standby, Duration timeout) {
        public Config {
            if (mode == null || temperature == null || pressure == null || humidity == null || filter == null
                    || standby == null || timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("every BME280 setting is required, timeout positive");
            }
            if (temperature == Oversampling.SKIPPED) {
                throw new IllegalArgumentException("BME280 temperature oversampling cannot be SKIPPED:"
                        + " pressure and humidity compensation need the temperature");
            }
        }

        /** The datasheet's weather-monitoring setting: forced mode, x1 everywhere, filter off. */
        public static Config weatherMonitoring() {
            return new Config(Mode.FORCED, Oversampling.X1, Oversampling.X1, Oversampling.X1, Filter.OFF,
                    Standby.MS_1000, Duration.ofMillis(100));
        }

        /**
         * Typical measurement time (datasheet 9.1): 1 + 2·T + (2·P + 0.5) + (2·H + 0.5) ms with the
         * oversampling factors, a skipped term counting 0.
         */
        public Duration typicalMeasurement() {
            double ms = 1 + 2.0 * temperature.samples
                    + (pressure.samples > 0 ? 2.0 * pressure.samples + 0.5 : 0)
                    + (humidity.samples > 0 ? 2.0 * humidity.samples + 0.5 : 0);
            return Duration.ofNanos(Math.round(ms * 1_000_000));
        }

        int ctrlMeas(int modeBits) {
            return (temperature.bits << 5) | (pressure.bits << 2) | modeBits;
        }

        int configRegister() {
            return (standby.bits << 5) | (filter.bits << 2);
        }
    }

    private final I2cDevice device;
    private final Config config;
    private final Pause pause;
    private final List<Quantity> quantities;
    private Bme280Calibration calibration;

    public Bme280(I2cDevice device, Config config) {
        this(device, config, Pause.SLEEP);
    }

    public Bme280(I2cDevice device, Config config, Pause pause) {
        if (device == null || config == null || pause == null) {
            throw new IllegalArgumentException("device, config and pause must not be null");
        }
        this.device = device;
        this.config = config;
        this.pause = pause;
        List<Quantity> q = new ArrayList<>();
        q.add(new Quantity("temperature", "Cel"));
        if (config.humidity() != Oversampling.SKIPPED) {
            q.add(new Quantity("humidity", "%RH"));
        }
        if (config.pressure() != Oversampling.SKIPPED) {
            q.add(new Quantity("pressure", "Pa"));
        }
        this.quantities = List.copyOf(q);
    }

    /** Temperature (Cel), then humidity (%RH) and pressure (Pa) unless their oversampling is SKIPPED. */
    @Override
    public List<Quantity> quantities() {
        return quantities;
    }

    @Override
    public synchronized void reinitialise() {
        calibration = null;
        initialise();
    }

    @Override
    public synchronized void read(double[] values) {
        try {
            if (calibration == null) {
                initialise();
            }
            if (config.mode() == Mode.FORCED) {
                device.writeRegister(CTRL_MEAS, config.ctrlMeas(0b01));
                pause.pause(config.typicalMeasurement());
                awaitStatusClear(0x08, "measurement");
            }
            byte[] d = new byte[8];
            device.readRegister(DATA, d, 0, 8);
            convert(d, values);
        } catch (HalException e) {
            calibration = null;
            throw e;
        }
    }

    private void initialise() {
        int id = device.readRegister(CHIP_ID);
        if (id != BME280_ID) {
            throw new HalException(Reason.GARBAGE, where() + ": chip id 0x" + Integer.toHexString(id) + ", a BME280 reads 0x60"
                    + (id >= 0x56 && id <= 0x58 ? " (this is a BMP280, which has no humidity sensor)"
                            : id == 0xff ? " (all-0xFF: nothing drives the bus)" : ""));
        }
        device.writeRegister(RESET, SOFT_RESET);
        pause.pause(STARTUP);
        awaitStatusClear(0x01, "NVM copy after reset");
        byte[] tp = new byte[26];
        byte[] h = new byte[7];
        device.readRegister(CALIB_TP, tp, 0, tp.length);
        device.readRegister(CALIB_H, h, 0, h.length);
        if (uniform(tp) || uniform(h)) {
            throw new HalException(Reason.GARBAGE, where() + ": trimming parameters are blank (all 0x"
                    + String.format("%02x", tp[0] & 0xff) + ")");
        }
        Bme280Calibration c = Bme280Calibration.parse(tp, h);
        if (c.t1() == 0 || c.p1() == 0) {
            throw new HalException(Reason.GARBAGE, where() + ": trimming parameters dig_T1 or dig_P1 are 0");
        }
        int modeBits = config.mode() == Mode.NORMAL ? 0b11 : 0b00;
        // config first: in normal mode writes to it may be ignored
        device.writeRegister(CONFIG, config.configRegister());
        device.writeRegister(CTRL_HUM, config.humidity().bits);
        device.writeRegister(CTRL_MEAS, config.ctrlMeas(modeBits));
        byte[] back = new byte[4];
        device.readRegister(CTRL_HUM, back, 0, 4);
        int hum = back[0] & 0x07;
        int meas = back[2] & 0xff;
        int cfg = back[3] & 0xfd;
        if (hum != config.humidity().bits || meas != config.ctrlMeas(modeBits) || cfg != config.configRegister()) {
            throw new HalException(Reason.GARBAGE, String.format("%s: settings do not read back (ctrl_hum %02x,"
                    + " ctrl_meas %02x, config %02x; wrote %02x, %02x, %02x)", where(), hum, meas, cfg,
                    config.humidity().bits, config.ctrlMeas(modeBits), config.configRegister()));
        }
        if (config.mode() == Mode.NORMAL) {
            pause.pause(config.typicalMeasurement());
            awaitStatusClear(0x08, "first measurement");
        }
        calibration = c;
    }

    private void awaitStatusClear(int bit, String what) {
        long deadline = System.nanoTime() + config.timeout().toNanos();
        while (true) {
            // judged before the read, so that a stall of this thread is followed by one more look
            boolean late = System.nanoTime() - deadline > 0;
            if ((device.readRegister(STATUS) & bit) == 0) {
                return;
            }
            if (late) {
                throw new HalException(Reason.TIMEOUT, where() + ": " + what + " not done after "
                        + config.timeout().toMillis() + " ms (status bit " + Integer.numberOfTrailingZeros(bit)
                        + " still set)");
            }
            pause.pause(POLL);
        }
    }

    private void convert(byte[] d, double[] values) {
        int adcP = ((d[0] & 0xff) << 12) | ((d[1] & 0xff) << 4) | ((d[2] & 0xff) >> 4);
        int adcT = ((d[3] & 0xff) << 12) | ((d[4] & 0xff) << 4) | ((d[5] & 0xff) >> 4);
        int adcH = ((d[6] & 0xff) << 8) | (d[7] & 0xff);
        if (adcT == 0x80000) {
            throw new HalException(Reason.GARBAGE, where() + ": temperature still at its reset value 0x80000 (no measurement)");
        }
        int tFine = calibration.fineTemperature(adcT);
        double celsius = Bme280Calibration.centiCelsius(tFine) / 100.0;
        if (celsius < -40.0 || celsius > 85.0) {
            throw new HalException(Reason.GARBAGE, String.format("%s: %.2f °C is outside the BME280's -40..85 °C"
                    + " (raw 0x%05x)", where(), celsius, adcT));
        }
        int i = 0;
        values[i++] = celsius;
        if (config.humidity() != Oversampling.SKIPPED) {
            if (adcH == 0x8000) {
                throw new HalException(Reason.GARBAGE, where() + ": humidity still at its reset value 0x8000 (no measurement)");
            }
            values[i++] = calibration.humidityQ22_10(adcH, tFine) / 1024.0;
        }
        if (config.pressure() != Oversampling.SKIPPED) {
            if (adcP == 0x80000) {
                throw new HalException(Reason.GARBAGE, where() + ": pressure still at its reset value 0x80000 (no measurement)");
            }
            double pa = calibration.pressureQ24_8(adcP, tFine) / 256.0;
            if (pa < 30_000 || pa > 110_000) {
                throw new HalException(Reason.GARBAGE, String.format("%s: %.0f Pa is outside the BME280's 300..1100 hPa"
                        + " (raw 0x%05x)", where(), pa, adcP));
            }
            values[i] = pa;
        }
    }

    private static boolean uniform(byte[] b) {
        for (byte x : b) {
            if (x != b[0]) {
                return false;
            }
        }
        return b[0] == 0 || b[0] == (byte) 0xff;
    }

    private String where() {
        return String.format("BME280 at 0x%02x on %s", device.address(), device.bus());
    }
}
