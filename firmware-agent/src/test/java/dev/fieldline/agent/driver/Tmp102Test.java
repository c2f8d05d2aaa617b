package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.pi4j.Pi4jBoard;
import dev.fieldline.agent.hal.pi4j.Pi4jConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders;
import dev.fieldline.agent.hal.pi4j.emulated.BusFault;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedTmp102;
import dev.fieldline.agent.hal.pi4j.emulated.RegisterMapChip;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Tmp102Test {
    private static final int ADDRESS = 0x48;

    private final EmulatedPi pi = new EmulatedPi();
    private final EmulatedTmp102 chip = new EmulatedTmp102();
    private final Pi4jBoard board = Pi4jBoard.open(Pi4jConfig.of("rpi4b", Pi4jProviders.of(Pi4jProviders.GPIOD)),
            pi.attach(1, ADDRESS, chip), Clock.systemUTC());
    private final I2cDevice device = board.i2c("i2c1", ADDRESS);
    private final List<Duration> pauses = new ArrayList<>();
    private final Pause pause = pauses::add;
    private final double[] value = new double[1];

    @AfterEach
    void close() {
        board.close();
    }

    private static byte[] bytes(int register) {
        return new byte[] {(byte) (register >> 8), (byte) register};
    }

    /** Datasheet SBOS397 table 7 (12-bit) and table 6 (13-bit, EM = 1): temperature, digital output. */
    @ParameterizedTest
    @CsvSource({
        "128, 7FF, 0800", "127.9375, 7FF, 07FF", "100, 640, 0640", "80, 500, 0500", "75, 4B0, 04B0",
        "50, 320, 0320", "25, 190, 0190", "0.25, 004, 0004", "0, 000, 0000", "-0.25, FFC, 1FFC",
        "-25, E70, 1E70", "-55, C90, 1C90"})
    void datasheetTemperatureTables(double celsius, String twelveBit, String thirteenBit) {
        int normal = Integer.parseInt(twelveBit, 16) << 4;
        int extended = (Integer.parseInt(thirteenBit, 16) << 3) | 1;
        // the emulated chip produces the datasheet's words ...
        assertThat(EmulatedTmp102.encode(celsius, false)).isEqualTo(normal);
        assertThat(EmulatedTmp102.encode(celsius, true)).isEqualTo(extended);
        // ... and the driver decodes them (12-bit saturates at 127.9375 °C)
        byte[] n = bytes(normal);
        byte[] e = bytes(extended);
        assertThat(Tmp102.celsius(n[0], n[1], "t")).isEqualTo(Math.min(celsius, 127.9375));
        assertThat(Tmp102.celsius(e[0], e[1], "t")).isEqualTo(celsius);
    }

    @Test
    void extendedModeReaches150() {
        int word = (0x0960 << 3) | 1; // table 6: 150 °C
        assertThat(Tmp102.celsius((byte) (word >> 8), (byte) word, "t")).isEqualTo(150.0);
    }

    @Test
    void continuousModeConfiguresTheChipAndReadsNegativeTemperatures() {
        Tmp102 tmp = new Tmp102(device, Tmp102.Config.defaults(), pause);
        chip.setCelsius(-25.0);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(-25.0);
        chip.setCelsius(23.4375);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(23.4375);
        // 12 bits, 4 Hz, continuous: the power-on setting (AL, read-only, reads 1)
        assertThat(chip.configuration()).isEqualTo(0x60A0);
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString).containsExactly(
                "R 0x01 +2", "W 0x01 6080", "R 0x01 +2", "R 0x00 +2", "R 0x00 +2");
        assertThat(pauses).containsExactly(Duration.ofMillis(35));
        assertThat(tmp.quantities()).containsExactly(new SensorDriver.Quantity("temperature", "Cel"));
    }

    @Test
    void extendedModeSetsEmAndReadsAbove128() {
        Tmp102 tmp = new Tmp102(device, new Tmp102.Config(true, Tmp102.Mode.CONTINUOUS, Tmp102.Rate.HZ_8,
                Duration.ofMillis(100)), pause);
        chip.setCelsius(140.5);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(140.5);
        assertThat(chip.configuration()).isEqualTo(0x60F0); // CR 11, AL, EM
        chip.setCelsius(-40.0625);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(-40.0625);
    }

    @Test
    void oneShotModeKeepsTheChipShutDownAndConvertsOncePerRead() {
        Tmp102 tmp = new Tmp102(device, new Tmp102.Config(false, Tmp102.Mode.ONE_SHOT, Tmp102.Rate.HZ_4,
                Duration.ofMillis(100)), pause);
        chip.conversionReads(2);
        chip.setCelsius(21.5);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(21.5);
        assertThat(chip.configuration() & 0x0100).isEqualTo(0x0100); // SD
        chip.setCelsius(-0.25);
        tmp.read(value);
        assertThat(value[0]).isEqualTo(-0.25);
        assertThat(chip.conversions()).isEqualTo(2);
        pi.clearTransfers();
        tmp.read(value);
        // OS|SD written, then OS polled until the chip reports the conversion done
        assertThat(pi.transfers(1, ADDRESS)).extracting(Object::toString).containsExactly(
                "W 0x01 e180", "R 0x01 +2", "R 0x01 +2", "R 0x01 +2", "R 0x00 +2");
    }

    @Test
    void aOneShotConversionThatNeverEndsTimesOut() {
        Tmp102 tmp = new Tmp102(device, new Tmp102.Config(false, Tmp102.Mode.ONE_SHOT, Tmp102.Rate.HZ_4,
                Duration.ofMillis(5)), pause);
        chip.conversionReads(Integer.MAX_VALUE);
        assertThatThrownBy(() -> tmp.read(value))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("TMP102 at 0x48 on i2c1: one-shot conversion not done after 5 ms");
        chip.conversionReads(1);
        tmp.reinitialise();
        tmp.read(value);
        assertThat(value[0]).isEqualTo(25.0);
    }

    @Test
    void absentNackTimeoutAndRecovery() {
        I2cDevice empty = board.i2c("i2c1", 0x49);
        Tmp102 missing = new Tmp102(empty, Tmp102.Config.defaults(), pause);
        assertThatThrownBy(() -> missing.read(value))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT));

        Tmp102 tmp = new Tmp102(device, Tmp102.Config.defaults(), pause);
        tmp.read(value);
        pi.fail(1, ADDRESS, BusFault.NACK, 1);
        assertThatThrownBy(() -> tmp.read(value))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NACK));
        pi.fail(1, ADDRESS, BusFault.TIMEOUT);
        assertThatThrownBy(() -> tmp.reinitialise())
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        pi.heal(1, ADDRESS);
        // the chip lost power meanwhile: a fresh one in extended mode must be configured again
        EmulatedTmp102 fresh = new EmulatedTmp102();
        fresh.setCelsius(30.0);
        pi.attach(1, ADDRESS, fresh);
        tmp.reinitialise();
        tmp.read(value);
        assertThat(value[0]).isEqualTo(30.0);
        assertThat(fresh.configuration()).isEqualTo(0x60A0);
    }

    @Test
    void anAllOnesBusOrAnotherChipIsGarbage() {
        RegisterMapChip allOnes = new RegisterMapChip();
        for (int r = 0; r < 256; r++) {
            allOnes.poke(r, 0xff);
        }
        pi.attach(1, ADDRESS, allOnes);
        Tmp102 tmp = new Tmp102(device, Tmp102.Config.defaults(), pause);
        assertThatThrownBy(() -> tmp.read(value))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("configuration reads 0xffff").hasMessageContaining("all-0xFF");
        // a register map chip keeps what is written but is not a TMP102 (its fixed bits are zero)
        pi.attach(1, ADDRESS, new RegisterMapChip());
        assertThatThrownBy(() -> tmp.reinitialise())
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE));
        assertThatThrownBy(() -> Tmp102.celsius((byte) 0xff, (byte) 0xff, "t"))
                .hasMessageContaining("reserved bits set (all-0xFF");
        pi.attach(1, ADDRESS, chip);
        tmp.reinitialise();
        tmp.read(value);
        assertThat(value[0]).isEqualTo(25.0);
    }
}
