package dev.fieldline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.SpiDevice;
import dev.fieldline.agent.hal.pi4j.Pi4jBoard;
import dev.fieldline.agent.hal.pi4j.Pi4jConfig;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedMcp3008;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Mcp3008Test {
    private final EmulatedPi pi = new EmulatedPi();
    private final EmulatedMcp3008 chip = new EmulatedMcp3008(3.3);
    private final Pi4jBoard board = Pi4jBoard.open(Pi4jConfig.of("rpi4b", Pi4jProviders.of(Pi4jProviders.GPIOD)),
            pi.attachSpi(0, 0, chip), Clock.systemUTC());
    private final Mcp3008 adc = new Mcp3008(board.spi("spi0", 0), 3.3);

    @AfterEach
    void close() {
        board.close();
    }

    /** A SPI device that records what the driver sends and answers with a fixed frame. */
    private static final class Recording implements SpiDevice {
        final List<String> sent = new ArrayList<>();
        final byte[] answer;

        Recording(int... answer) {
            this.answer = new byte[answer.length];
            for (int i = 0; i < answer.length; i++) {
                this.answer[i] = (byte) answer[i];
            }
        }

        @Override
        public String bus() {
            return "spi0";
        }

        @Override
        public int chipSelect() {
            return 0;
        }

        @Override
        public void transfer(byte[] tx, byte[] rx, int length) {
            sent.add(HexFormat.of().formatHex(tx, 0, length));
            System.arraycopy(answer, 0, rx, 0, length);
        }
    }

    @Test
    void framesAreTheDatasheetsEightBitSegments() {
        Recording spi = new Recording(0xff, 0xf8, 0);
        Mcp3008 m = new Mcp3008(spi, 3.3);
        for (int ch = 0; ch < 8; ch++) {
            m.readSingle(ch);
        }
        // start bit, then SGL=1 and D2 D1 D0 in the high nibble of the second byte
        assertThat(spi.sent).containsExactly("018000", "019000", "01a000", "01b000", "01c000", "01d000", "01e000",
                "01f000");
        spi.sent.clear();
        m.readDifferential(0, 1);
        m.readDifferential(1, 0);
        m.readDifferential(2, 3);
        m.readDifferential(7, 6);
        // Table 5-2: 000 CH0+ CH1-, 001 CH0- CH1+, 010 CH2+ CH3-, 111 CH6- CH7+
        assertThat(spi.sent).containsExactly("010000", "011000", "012000", "017000");
    }

    @Test
    void resultIsTheTenBitsAfterTheNullBit() {
        // byte 1 = ? ? ? ? ? 0 B9 B8 with the undefined bits high; byte 2 = B7..B0
        assertThat(new Mcp3008(new Recording(0xff, 0xfa, 0x5a), 3.3).readSingle(0))
                .isEqualTo(0x25a);
        assertThat(new Mcp3008(new Recording(0x00, 0x03, 0xff), 3.3).readSingle(0))
                .isEqualTo(1023);
        assertThat(new Mcp3008(new Recording(0xff, 0xf8, 0x00), 3.3).readSingle(0)).isZero();
    }

    @Test
    void convertsAsTheChipDoesThroughTheEmulatedBus() {
        chip.set(3, 1.65);
        chip.set(4, 3.3);
        chip.set(5, 0.0);
        chip.set(6, 0.5);
        assertThat(adc.readSingle(3)).isEqualTo(512); // 1024 * 1.65 / 3.3
        assertThat(adc.readSingle(4)).isEqualTo(1023); // full scale clamps
        assertThat(adc.readSingle(5)).isZero();
        assertThat(adc.readSingle(6)).isEqualTo(155); // floor(1024 * 0.5 / 3.3)
        chip.set(2, 2.0);
        chip.set(3, 0.5);
        assertThat(adc.readDifferential(2, 3)).isEqualTo(465); // floor(1024 * 1.5 / 3.3)
        assertThat(adc.readDifferential(3, 2)).isZero(); // IN+ below IN-
        assertThat(adc.channel(6).read()).isEqualTo(155);
        assertThat(adc.channel(6).maxCount()).isEqualTo(1023);
        assertThat(chip.conversions()).isEqualTo(7);
    }

    @Test
    void aMissingChipReadsTheNullBitHighAndIsGarbage() {
        Mcp3008 nothing = new Mcp3008(board.spi("spi0", 1), 3.3);
        assertThatThrownBy(() -> nothing.readSingle(0))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("MCP3008 on spi0 chip select 1 channel 0: the null bit before the result is 1")
                .hasMessageContaining("ff ff ff");
    }

    @Test
    void rejectsChannelsThatDoNotExist() {
        assertThatThrownBy(() -> adc.readSingle(8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> adc.readDifferential(1, 2)).hasMessageContaining("must be a pair");
        assertThatThrownBy(() -> adc.channel(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tmp36OnAnMcp3008ChannelUsesTheSeedFormulaWithTheChipsResolution() {
        chip.set(0, 0.75); // 25 °C
        Tmp36 tmp36 = new Tmp36(adc.channel(0), adc.adc());
        double[] v = new double[1];
        tmp36.read(v);
        // code floor(1024 * 0.75 / 3.3) = 232; 232 * 3.3 / 1023 = 0.7484 V; one code is 0.32 °C
        assertThat(v[0]).isCloseTo(Tmp36.celsius(232, adc.adc()), within(1e-12)).isCloseTo(25.0, within(0.33));
        assertThat(tmp36.quantities()).containsExactly(new SensorDriver.Quantity("temperature", "Cel"));

        chip.set(0, 0.0); // input open or shorted to ground
        assertThatThrownBy(() -> tmp36.read(v))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("TMP36 input at 0.000 V");
        chip.set(0, 3.3);
        assertThatThrownBy(() -> tmp36.read(v)).isInstanceOf(HalException.class);
    }
}
