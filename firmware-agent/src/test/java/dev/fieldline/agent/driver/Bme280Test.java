package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.driver.Bme280.Config;
import dev.fieldline.agent.driver.Bme280.Filter;
import dev.fieldline.agent.driver.Bme280.Mode;
import dev.fieldline.agent.driver.Bme280.Oversampling;
import dev.fieldline.agent.driver.Bme280.Standby;
import dev.fieldline.agent.driver.SensorDriver.Quantity;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.pi4j.Pi4jBoard;
import dev.fieldline.agent.hal.pi4j.Pi4jConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders;
import dev.fieldline.agent.hal.pi4j.emulated.BusFault;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedBme280;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.hal.pi4j.emulated.RegisterMapChip;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Bme280Test {
    private static final int ADDRESS = 0x76;
    /** Bosch's worked example (BMP280 datasheet BST-BMP280-DS001 3.12; the BME280 uses the same T and P formulas). */
    private static final int[] T = {27504, 26435, -1000};
    private static final int[] P = {36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000};
    private static final int ADC_T = 519888;
    private static final int ADC_P = 415148;
    /** Humidity trimming read from a BME280 (the datasheet gives no humidity example). */
    private static final int[] H = {75, 360, 0, 325, 50, 30};
    private static final int ADC_H = 30000;

    private final EmulatedPi pi = new EmulatedPi();
    private final EmulatedBme280 chip = new EmulatedBme280(T, P, H);
    private final Pi4jBoard board = Pi4jBoard.open(Pi4jConfig.of("rpi4b", Pi4jProviders.of(Pi4jProviders.GPIOD)),
            pi.attach(1, ADDRESS, chip), Clock.systemUTC());
    private final I2cDevice device = board.i2c("i2c1", ADDRESS);
    private final List<Duration> pauses = new ArrayList<>();
    private final Pause pause = pauses::add;
    private final double[] values = new double[3];

    @AfterEach
    void close() {
        board.close();
    }

    private static Bme280Calibration example() {
        return new Bme280Calibration(T[0], T[1], T[2], P[0], P[1], P[2], P[3], P[4], P[5], P[6], P[7], P[8],
                H[0], H[1], H[2], H[3], H[4], H[5]);
    }

    @Test
    void integerCompensationMatchesBoschsWorkedExample() {
        Bme280Calibration c = example();
        int tFine = c.fineTemperature(ADC_T);
        assertThat(tFine).isEqualTo(128422);
        assertThat(Bme280Calibration.centiCelsius(tFine)).isEqualTo(2508); // 25.08 °C
        long q = c.pressureQ24_8(ADC_P, tFine);
        // the example's floating-point result is 100653.27 Pa; the 64-bit integer one is 25767233 / 256
        assertThat(q).isEqualTo(25767233L);
        assertThat(q / 256.0).isCloseTo(100653.27, within(0.05));
    }

    @Test
    void integerCompensationAgreesWithTheDatasheetsDoubleFormulas() {
        Bme280Calibration c = example();
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            int adcT = 400_000 + random.nextInt(250_000);
            int adcP = 250_000 + random.nextInt(300_000);
            int adcH = 15_000 + random.nextInt(30_000);
            int tFine = c.fineTemperature(adcT);
            double[] d = doubleCompensation(adcT, adcP, adcH);
            assertThat(Bme280Calibration.centiCelsius(tFine) / 100.0).isCloseTo(d[0], within(0.01));
            assertThat(c.pressureQ24_8(adcP, tFine) / 256.0).isCloseTo(d[1], within(1.0));
            assertThat(c.humidityQ22_10(adcH, tFine) / 1024.0).isCloseTo(d[2], within(0.02));
        }
        // the datasheet's output-format examples
        assertThat(24674867 / 256.0).isCloseTo(96386.2, within(0.01));
        assertThat(47445 / 1024.0).isCloseTo(46.333, within(0.001));
    }

    /** BME280_compensate_T_double, _P_double and _H_double from the datasheet, transcribed here. */
    private static double[] doubleCompensation(int adcT, int adcP, int adcH) {
        double var1 = (adcT / 16384.0 - T[0] / 1024.0) * T[1];
        double var2 = (adcT / 131072.0 - T[0] / 8192.0) * (adcT / 131072.0 - T[0] / 8192.0) * T[2];
        int tFine = (int) (var1 + var2);
        double t = (var1 + var2) / 5120.0;
        var1 = tFine / 2.0 - 64000.0;
        var2 = var1 * var1 * P[5] / 32768.0;
        var2 = var2 + var1 * P[4] * 2.0;
        var2 = var2 / 4.0 + P[3] * 65536.0;
        var1 = (P[2] * var1 * var1 / 524288.0 + P[1] * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * P[0];
        double p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = P[8] * p * p / 2147483648.0;
        var2 = p * P[7] / 32768.0;
        p = p + (var1 + var2 + P[6]) / 16.0;
        double h = tFine - 76800.0;
        h = (adcH - (H[3] * 64.0 + H[4] / 16384.0 * h)) * (H[1] / 65536.0 * (1.0 + H[5] / 67108864.0 * h
                * (1.0 + H[2] / 67108864.0 * h)));
        h = h * (1.0 - H[0] * h / 524288.0);
        h = Math.max(0, Math.min(100, h));
        return new double[] {t, p, h};
    }

    @Test
    void trimmingParametersParseFromTheChipsRegisterLayout() {
        // H4 and H5 share 0xE5; both are signed 12-bit
        EmulatedBme280 signed = new EmulatedBme280(T, P, new int[] {75, -360, 7, -325, -50, -30});
        byte[] tp = signed.read(0x88, 26);
        byte[] h = signed.read(0xE1, 7);
        Bme280Calibration c = Bme280Calibration.parse(tp, h);
        assertThat(c).isEqualTo(new Bme280Calibration(T[0], T[1], T[2], P[0], P[1], P[2], P[3], P[4], P[5], P[6],
                P[7], P[8], 75, -360, 7, -325, -50, -30));
    }

    @Test
    void forcedModeInitialisesMeasuresAndReadsOneBurst() {
        chip.measure(ADC_T, ADC_P, ADC_H);
        Bme280 bme = new Bme280(device, Config.weatherMonitoring(), pause);
        assertThat(bme.quantities()).containsExactly(new Quantity("temperature", "Cel"),
                new Quantity("humidity", "%RH"), new Quantity("pressure", "Pa"));
        bme.read(values);
        assertThat(values[0]).isEqualTo(25.08);
        assertThat(values[1]).isEqualTo(example().humidityQ22_10(ADC_H, 128422) / 1024.0).isCloseTo(50.45, within(0.01));
        assertThat(values[2]).isEqualTo(25767233L / 256.0);
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString).containsExactly(
                "R 0xd0 +1", // chip id
                "W 0xe0 b6", // soft reset
                "R 0xf3 +1", "R 0xf3 +1", // im_update, then clear
                "R 0x88 +26", "R 0xe1 +7", // trimming parameters
                "W 0xf5 a0", "W 0xf2 01", "W 0xf4 24", // config (1000 ms, filter off), ctrl_hum x1, ctrl_meas x1 x1 sleep
                "R 0xf2 +4", // read back
                "W 0xf4 25", // forced measurement
                "R 0xf3 +1", "R 0xf3 +1", // measuring, then done
                "R 0xf7 +8"); // pressure, temperature, humidity in one burst
        assertThat(pauses).containsExactly(Duration.ofMillis(2), Duration.ofMillis(1), Duration.ofMillis(8),
                Duration.ofMillis(1));
        pi.clearTransfers();
        bme.read(values);
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString)
                .containsExactly("W 0xf4 25", "R 0xf3 +1", "R 0xf3 +1", "R 0xf7 +8");
        assertThat(chip.measurements()).isEqualTo(2);
    }

    @Test
    void normalModeSetsFilterStandbyAndOversamplingThenOnlyReads() {
        chip.measure(ADC_T, ADC_P, ADC_H);
        Config config = new Config(Mode.NORMAL, Oversampling.X2, Oversampling.X16, Oversampling.X4, Filter.X16,
                Standby.MS_62_5, Duration.ofMillis(100));
        Bme280 bme = new Bme280(device, config, pause);
        bme.read(values);
        assertThat(values[0]).isEqualTo(25.08);
        assertThat(chip.peek(0xF2)).isEqualTo(0b011); // osrs_h x4
        assertThat(chip.peek(0xF4)).isEqualTo(0b010_101_11); // osrs_t x2, osrs_p x16, normal
        assertThat(chip.peek(0xF5)).isEqualTo(0b001_100_00); // t_sb 62.5 ms, filter 16
        // typical time: 1 + 2*2 + (2*16 + 0.5) + (2*4 + 0.5) = 46 ms
        assertThat(config.typicalMeasurement()).isEqualTo(Duration.ofMillis(46));
        pi.clearTransfers();
        bme.read(values);
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString).containsExactly("R 0xf7 +8");
    }

    @Test
    void skippedQuantitiesAreLeftOut() {
        chip.measure(ADC_T, ADC_P, ADC_H);
        Bme280 bme = new Bme280(device, new Config(Mode.FORCED, Oversampling.X1, Oversampling.SKIPPED,
                Oversampling.X1, Filter.OFF, Standby.MS_1000, Duration.ofMillis(100)), pause);
        assertThat(bme.quantities()).extracting(Quantity::name).containsExactly("temperature", "humidity");
        bme.read(values);
        assertThat(values[1]).isCloseTo(50.45, within(0.01));
        assertThatThrownBy(() -> new Config(Mode.FORCED, Oversampling.SKIPPED, Oversampling.X1, Oversampling.X1,
                Filter.OFF, Standby.MS_1000, Duration.ofMillis(100))).hasMessageContaining("cannot be SKIPPED");
    }

    @Test
    void wrongChipIdsAreGarbage() {
        chip.poke(0xD0, 0x58);
        Bme280 bme = new Bme280(device, Config.weatherMonitoring(), pause);
        assertThatThrownBy(() -> bme.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("BME280 at 0x76 on i2c1: chip id 0x58, a BME280 reads 0x60 (this is a BMP280");
        RegisterMapChip allOnes = new RegisterMapChip();
        for (int r = 0; r < 256; r++) {
            allOnes.poke(r, 0xff);
        }
        pi.attach(1, ADDRESS, allOnes);
        assertThatThrownBy(() -> bme.reinitialise()).hasMessageContaining("chip id 0xff").hasMessageContaining("all-0xFF");
    }

    @Test
    void blankTrimmingAndSettingsThatDoNotStickAreGarbage() {
        EmulatedBme280 blank = new EmulatedBme280(new int[3], new int[9], new int[6]);
        pi.attach(1, ADDRESS, blank);
        Bme280 bme = new Bme280(device, Config.weatherMonitoring(), pause);
        assertThatThrownBy(() -> bme.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("trimming parameters are blank");
        // a chip that answers with the right id but keeps nothing written
        RegisterMapChip readOnly = new RegisterMapChip() {
            @Override
            public synchronized void write(int register, byte[] data) {
            }
        };
        byte[] tp = chip.read(0x88, 26);
        byte[] h = chip.read(0xE1, 7);
        readOnly.poke(0xD0, 0x60);
        for (int i = 0; i < 26; i++) {
            readOnly.poke(0x88 + i, tp[i]);
        }
        for (int i = 0; i < 7; i++) {
            readOnly.poke(0xE1 + i, h[i]);
        }
        pi.attach(1, ADDRESS, readOnly);
        assertThatThrownBy(() -> bme.reinitialise()).hasMessageContaining("settings do not read back");
    }

    @Test
    void unmeasuredOrImpossibleValuesAreGarbage() {
        Bme280 bme = new Bme280(device, Config.weatherMonitoring(), pause);
        chip.measure(0x80000, ADC_P, ADC_H);
        assertThatThrownBy(() -> bme.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("reset value 0x80000");
        chip.measure(0xFFFF0, ADC_P, ADC_H);
        assertThatThrownBy(() -> bme.read(values)).hasMessageContaining("outside the BME280's -40..85 °C");
        chip.measure(ADC_T, 0x80000, ADC_H);
        assertThatThrownBy(() -> bme.read(values)).hasMessageContaining("pressure still at its reset value");
        chip.measure(ADC_T, ADC_P, 0x8000);
        assertThatThrownBy(() -> bme.read(values)).hasMessageContaining("humidity still at its reset value");
        chip.measure(ADC_T, ADC_P, ADC_H);
        bme.read(values);
        assertThat(values[0]).isEqualTo(25.08);
    }

    @Test
    void absentNackTimeoutAndRecoveryByReinitialising() {
        Bme280 missing = new Bme280(board.i2c("i2c1", 0x77), Config.weatherMonitoring(), pause);
        assertThatThrownBy(() -> missing.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT))
                .hasMessageContaining("0x77 on i2c1: nothing acknowledges");

        chip.measure(ADC_T, ADC_P, ADC_H);
        Bme280 bme = new Bme280(device, Config.weatherMonitoring(), pause);
        bme.read(values);
        pi.fail(1, ADDRESS, BusFault.NACK);
        assertThatThrownBy(() -> bme.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NACK));
        pi.fail(1, ADDRESS, BusFault.TIMEOUT);
        assertThatThrownBy(() -> bme.reinitialise())
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        pi.heal(1, ADDRESS);
        pi.clearTransfers();
        bme.reinitialise();
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString).contains("W 0xe0 b6", "R 0x88 +26");
        bme.read(values);
        assertThat(values).containsExactly(25.08, example().humidityQ22_10(ADC_H, 128422) / 1024.0, 25767233L / 256.0);
    }

    @Test
    void aMeasurementThatNeverEndsTimesOut() {
        chip.measure(ADC_T, ADC_P, ADC_H);
        Bme280 bme = new Bme280(device, new Config(Mode.FORCED, Oversampling.X1, Oversampling.X1, Oversampling.X1,
                Filter.OFF, Standby.MS_1000, Duration.ofMillis(5)), pause);
        chip.measuringReads(Integer.MAX_VALUE);
        assertThatThrownBy(() -> bme.read(values))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("measurement not done after 5 ms (status bit 3 still set)");
        chip.measuringReads(1);
        bme.read(values);
        assertThat(values[0]).isEqualTo(25.08);
    }
}
