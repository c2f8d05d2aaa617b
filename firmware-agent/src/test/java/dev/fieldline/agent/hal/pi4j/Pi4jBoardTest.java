package dev.fieldline.agent.hal.pi4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.pi4j.boardinfo.util.BoardInfoHelper;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.PwmOutput;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.SpiDevice;
import dev.fieldline.agent.hal.pi4j.Pi4jProviders.Kind;
import dev.fieldline.agent.hal.pi4j.emulated.BusFault;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.hal.pi4j.emulated.RegisterMapChip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class Pi4jBoardTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Pi4jConfig CONFIG = new Pi4jConfig("rpi4b", Pi4jProviders.of(Pi4jProviders.GPIOD),
            Map.of(12, 0, 13, 1), 0, Pi4jConfig.DEFAULT_SPI_CLOCK_HZ);

    private final EmulatedPi pi = new EmulatedPi();
    private Pi4jBoard board;

    @AfterEach
    void close() {
        if (board != null) {
            board.close();
        }
    }

    private Pi4jBoard simulated() {
        board = Pi4jBoard.open(CONFIG, pi, CLOCK);
        return board;
    }

    @Test
    void realGpiodProviderOffAPiStopsWithWhatToDoAndNeverFallsBackToTheMocksOnTheClasspath() {
        Assumptions.assumeFalse(BoardInfoHelper.runningOnRaspberryPi(), "this machine is a Raspberry Pi");
        assertThatThrownBy(() -> Pi4jBoard.open(CONFIG, CLOCK))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("pi4j provider gpiod (digital-input) cannot start on board rpi4b")
                .hasMessageContaining("not a Raspberry Pi")
                .hasMessageContaining("/dev/gpiochip0")
                .hasMessageContaining("group 'gpio'");
    }

    @Test
    void realPigpioProviderOffAPiNamesTheLibraryToInstall() {
        Assumptions.assumeFalse(BoardInfoHelper.runningOnRaspberryPi(), "this machine is a Raspberry Pi");
        Pi4jConfig config = Pi4jConfig.of("rpi3b", Pi4jProviders.of(Pi4jProviders.PIGPIO));
        assertThatThrownBy(() -> Pi4jBoard.open(config, CLOCK))
                .isInstanceOf(HalException.class)
                .hasMessageContaining("pi4j provider pigpio (digital-input) cannot start on board rpi3b")
                .hasMessageContaining("sudo apt install pigpio")
                .hasMessageContaining("Raspberry Pi 5");
    }

    @Test
    void realLinuxfsI2cWithoutTheBusDeviceStopsAndSaysHowToEnableIt() {
        Assumptions.assumeFalse(Files.exists(Path.of("/dev/i2c-1")), "this machine has /dev/i2c-1");
        Pi4jConfig config = Pi4jConfig.of("rpi4b", new Pi4jProviders(Map.of(Kind.I2C, Pi4jProviders.LINUXFS)));
        try (Pi4jBoard real = Pi4jBoard.open(config, CLOCK)) {
            assertThatThrownBy(() -> real.i2c("i2c1", 0x76))
                    .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                    .hasMessageContaining("pi4j provider linuxfs (i2c) cannot start on board rpi4b")
                    .hasMessageContaining("/dev/i2c-1")
                    .hasMessageContaining("raspi-config nonint do_i2c 0");
            assertThatThrownBy(() -> real.digitalInput(17))
                    .isInstanceOf(HalException.class).hasMessageContaining("chose no pi4j provider for digital-input");
        }
    }

    @Test
    void providerNamesAreCheckedPerKind() {
        assertThatThrownBy(() -> Pi4jProviders.of(Pi4jProviders.GPIOD).with(Kind.I2C, Pi4jProviders.PIGPIO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pi4j provider 'pigpio' cannot serve i2c; valid: linuxfs");
        assertThatThrownBy(() -> Pi4jProviders.of("mock"))
                .hasMessage("pi4j provider 'mock' cannot serve digital-input; valid: gpiod, pigpio");
    }

    @Test
    void aProviderThatCannotStartStopsTheBoardAndReleasesWhatWasOpened() {
        pi.failOpen(Kind.I2C, "no /dev/i2c-1");
        assertThatThrownBy(() -> Pi4jBoard.open(CONFIG, pi, CLOCK))
                .isInstanceOf(HalException.class).hasMessageContaining("(i2c) cannot start: no /dev/i2c-1");
        assertThat(pi.allContextsShutDown()).isTrue();
    }

    @Test
    void digitalInputReportsLevelsAndEdgesWithTheBoardClock() {
        Pi4jBoard b = simulated();
        DigitalInput in = b.digitalInput(17, Pull.UP);
        List<String> edges = new CopyOnWriteArrayList<>();
        in.addListener((high, at) -> edges.add(high + "@" + at));
        assertThat(in.read()).isTrue(); // the pull-up reached the provider: the idle line reads high
        pi.setInput(17, false);
        assertThat(in.read()).isFalse();
        pi.setInput(17, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> edges.size() == 2);
        assertThat(edges).containsExactly("false@2025-01-01T00:00:00Z", "true@2025-01-01T00:00:00Z");
        assertThat(b.digitalInput(18, Pull.NONE).read()).isFalse();
        assertThat(b.digitalInput(17)).isSameAs(in);
        assertThatThrownBy(() -> b.digitalOutput(17)).hasMessageContaining("already an input");
    }

    @Test
    void outputStartsAtItsInitialLevelAndReturnsToItWhenTheBoardCloses() {
        Pi4jBoard b = simulated();
        DigitalOutput relay = b.digitalOutput(23, true);
        assertThat(pi.outputLevel(23)).isTrue();
        assertThat(relay.state()).isTrue();
        relay.write(false);
        assertThat(pi.outputLevel(23)).isFalse();
        assertThat(relay.state()).isFalse();
        DigitalOutput led = b.digitalOutput(24);
        assertThat(pi.outputLevel(24)).isFalse();
        led.write(true);
        b.close();
        assertThat(pi.allContextsShutDown()).isTrue();
        assertThatThrownBy(() -> b.digitalOutput(25)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void gpioZeroSpiChipSelectZeroAndPwmChannelZeroCoexist() {
        // one Pi4J 2.8.0 context would refuse the second and third: it reserves address 0 once
        Pi4jBoard b = simulated();
        b.digitalOutput(0);
        SpiDevice spi = b.spi("spi0", 0);
        PwmOutput pwm = b.pwm(12);
        assertThat(b.spi("spi1", 0)).isNotSameAs(spi);
        pwm.set(1000, 0.25);
        assertThat(pi.pwm(0).isOn()).isTrue();
        assertThat(pi.pwm(0).getDutyCycle()).isEqualTo(25.0f);
        assertThat(pi.pwm(0).getFrequency()).isEqualTo(1000);
        pwm.off();
        assertThat(pi.pwm(0).isOn()).isFalse();
    }

    @Test
    void spiChipSelectWithoutAChipReadsFloatingHigh() {
        SpiDevice spi = simulated().spi("spi0", 1);
        byte[] rx = new byte[3];
        spi.transfer(new byte[] {1, (byte) 0x80, 0}, rx, 3);
        assertThat(rx).containsExactly(0xff, 0xff, 0xff);
    }

    @Test
    void i2cHandlesShareTheChipsRegistersWithAutoIncrement() {
        RegisterMapChip chip = new RegisterMapChip();
        chip.poke(0x10, 0xaa, 0xbb, 0xcc);
        pi.attach(1, 0x40, chip);
        I2cDevice dev = simulated().i2c("i2c1", 0x40);
        byte[] buf = new byte[5];
        dev.readRegister(0x10, buf, 2, 3);
        assertThat(buf).containsExactly(0, 0, 0xaa, 0xbb, 0xcc);
        dev.writeRegister(0x20, new byte[] {1, 2, 3}, 1, 2);
        assertThat(chip.peek(0x20)).isEqualTo(2);
        assertThat(chip.peek(0x21)).isEqualTo(3);
        // a second board on the same emulated Pi reaches the same chip (Pi4J's MockI2C would not)
        try (Pi4jBoard other = Pi4jBoard.open(CONFIG, pi, CLOCK)) {
            assertThat(other.i2c("i2c1", 0x40).readRegister(0x21)).isEqualTo(3);
        }
        assertThat(pi.transfers(1, 0x40)).extracting(Object::toString)
                .containsExactly("R 0x10 +3", "W 0x20 0203", "R 0x21 +1");
    }

    @Test
    void i2cFaultsCarryTheirReason() {
        Pi4jBoard b = simulated();
        I2cDevice empty = b.i2c("i2c1", 0x48);
        assertThatThrownBy(() -> empty.readRegister(0x00))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT))
                .hasMessageContaining("I2C read of register 0x00 at 0x48 on i2c1: nothing acknowledges");

        RegisterMapChip chip = new RegisterMapChip();
        pi.attach(1, 0x49, chip);
        I2cDevice dev = b.i2c("i2c1", 0x49);
        pi.fail(1, 0x49, BusFault.NACK, 1);
        // never answered yet: a refusal means nothing is there
        assertThatThrownBy(() -> dev.readRegister(0)).isInstanceOfSatisfying(HalException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT));
        assertThat(dev.readRegister(0)).isZero();
        pi.fail(1, 0x49, BusFault.NACK, 1);
        assertThatThrownBy(() -> dev.writeRegister(0, 1)).isInstanceOfSatisfying(HalException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.NACK));
        pi.fail(1, 0x49, BusFault.TIMEOUT);
        assertThatThrownBy(() -> dev.readRegister(0)).isInstanceOfSatisfying(HalException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        pi.heal(1, 0x49);
        assertThat(dev.readRegister(0)).isZero();
    }

    @Test
    void kindsThePiCannotDoAreUnsupportedAndBadNamesAreRejected() {
        Pi4jBoard b = simulated();
        assertThatThrownBy(() -> b.analogInput(0))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("MCP3008");
        assertThatThrownBy(() -> b.pwm(5))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED))
                .hasMessageContaining("GPIO 5 has no hardware PWM channel on board rpi4b (PWM pins: [12, 13])");
        assertThatThrownBy(() -> b.i2c("twi0", 0x40)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be named like i2c1");
        assertThatThrownBy(() -> b.i2c("i2c1", 0x80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.digitalInput(28)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.platform()).isEqualTo("pi4j");
    }
}
