package dev.fieldline.agent.hal.esp32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.hal.AnalogInput;
import dev.fieldline.agent.hal.DigitalInput;
import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.I2cDevice;
import dev.fieldline.agent.hal.Pull;
import dev.fieldline.agent.hal.PwmOutput;
import dev.fieldline.agent.hal.esp32.Esp32Board.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's esp32-bridge provider over a real pty pair (socat) to a simulated ESP32: the bridge
 * program's own protocol logic under python3 with a fake {@code machine} module. Covers the
 * handshake, every kind of I/O, pushed readings, resets, garbage, partial frames, CRC errors,
 * timeouts and an unplugged port.
 */
@Tag("interop")
class Esp32BridgeInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SimulatedEsp32 esp;
    private Esp32Board board;

    @BeforeEach
    void start() {
        esp = SimulatedEsp32.start(dir, "esp32");
        board = Esp32Board.open(config());
    }

    private Esp32BridgeConfig config() {
        return Esp32BridgeConfig.of(esp.hostPort().toString())
                .withRequestTimeout(Duration.ofMillis(400), 2) // generous: the machine may be busy
                .withReconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .withKeepAlive(Duration.ofSeconds(1));
    }

    @AfterEach
    void stop() {
        if (board != null) {
            board.close();
        }
        if (esp != null) {
            esp.close();
        }
        await("the bridge's threads end").atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("fl-esp32-")));
    }

    @Test
    void handshakeGivesTheChipFirmwareAndPins() {
        assertThat(board.platform()).isEqualTo("esp32-bridge");
        assertThat(board.isConnected()).isTrue();
        assertThat(board.bootId()).isEqualTo(esp.bootId());
        BridgeInfo info = board.info();
        assertThat(info.chip()).isEqualTo("esp32");
        assertThat(info.firmware()).startsWith("fieldline-bridge 1.0.0");
        assertThat(info.maxCount()).isEqualTo(4095);
        assertThat(info.i2cControllers()).isEqualTo(2);
        assertThat(info.pinsThatCan(BridgeInfo.Capability.ADC)).containsExactly(32, 33, 34, 35, 36, 39);
        assertThat(info.pins()).doesNotContainKeys(1, 3, 6, 7, 8, 9, 10, 11);
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            micros.add(board.ping().toNanos() / 1000);
        }
        Collections.sort(micros);
        System.out.printf("esp32 bridge over a pty to the python3 simulator: PING round trip p50 %d us, p99 %d us%n",
                micros.get(100), micros.get(198));
        DeviceStats device = board.deviceStats();
        assertThat(device.framesReceived()).isGreaterThanOrEqualTo(3);
        assertThat(device.crcErrors() + device.framingErrors()).isZero();
    }

    @Test
    void gpioOutputsAndInputsRoundTrip() {
        DigitalOutput led = board.digitalOutput(2, true);
        assertThat(esp.pin(2)).containsEntry("mode", 3L).containsEntry("value", 1L);
        led.write(false);
        assertThat(esp.pin(2)).containsEntry("value", 0L);
        assertThat(led.state()).isFalse();

        DigitalInput button = board.digitalInput(4, Pull.UP);
        assertThat(esp.pin(4)).containsEntry("mode", 1L).containsEntry("pull", 2L);
        assertThat(button.read()).isTrue();
        esp.command("{\"cmd\": \"input\", \"pin\": 4, \"level\": 0}");
        assertThat(button.read()).isFalse();

        assertThatThrownBy(() -> board.digitalOutput(34))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GPIO 34 of the esp32 cannot be a digital output");
        assertThatThrownBy(() -> board.digitalInput(36, Pull.UP))
                .hasMessageContaining("cannot be a pull resistor");
        assertThatThrownBy(() -> board.analogInput(2)).hasMessageContaining("pins that can: [32, 33, 34, 35, 36, 39]");
    }

    @Test
    void adcReadsCounts() {
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 1234}");
        AnalogInput tmp36 = board.analogInput(36);
        assertThat(tmp36.maxCount()).isEqualTo(4095);
        assertThat(tmp36.read()).isEqualTo(1234);
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 4095}");
        assertThat(tmp36.read()).isEqualTo(4095);
        assertThat(esp.pin(36)).containsEntry("mode", "adc").containsEntry("atten", 3L);
    }

    @Test
    void pwmSetsFrequencyAndDutyAndTurnsOff() {
        PwmOutput fan = board.pwm(5);
        fan.set(1000, 0.25);
        assertThat(esp.pwm(5)).containsEntry("freq", 1000L).containsEntry("duty_u16", 16384L);
        fan.set(25_000, 1.0);
        assertThat(esp.pwm(5)).containsEntry("freq", 25000L).containsEntry("duty_u16", 65535L);
        fan.off();
        assertThat(esp.pwm(5)).isNull();
        assertThat(esp.pin(5)).containsEntry("mode", 3L).containsEntry("value", 0L);
        assertThatThrownBy(() -> board.pwm(34)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void i2cRegistersAutoIncrementAndFaultsHaveReasons() {
        esp.command("{\"cmd\": \"i2c_chip\", \"bus\": 0, \"addr\": 72, \"regs\": \"1980000050\"}");
        board.defineI2cBus("i2c0", 21, 22, 400_000);
        I2cDevice tmp102 = board.i2c("i2c0", 0x48);
        byte[] two = new byte[2];
        tmp102.readRegister(0, two, 0, 2);
        assertThat(two).containsExactly(0x19, 0x80);
        tmp102.writeRegister(2, new byte[] {0x11, 0x22}, 0, 2);
        assertThat((String) esp.command("{\"cmd\": \"i2c_regs\", \"bus\": 0, \"addr\": 72}").get("regs"))
                .startsWith("1980112250");
        assertThat(tmp102.readRegister(3)).isEqualTo(0x22);

        byte[] big = new byte[200];
        tmp102.readRegister(0, big, 0, 200); // two requests of 128 and 72 bytes
        assertThat(big[2]).isEqualTo((byte) 0x11);

        assertThatThrownBy(() -> board.i2c("i2c0", 0x49).readRegister(0))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NACK))
                .hasMessageContaining("no ACK from 0x49");
        esp.command("{\"cmd\": \"i2c_chip\", \"bus\": 0, \"addr\": 72, \"fault\": \"timeout\"}");
        assertThatThrownBy(() -> tmp102.readRegister(0))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));
        assertThatThrownBy(() -> board.i2c("i2c1", 0x48)).hasMessageContaining("defined: [i2c0]");
        assertThatThrownBy(() -> board.digitalOutput(21)).hasMessageContaining("in use as I2C bus i2c0");
    }

    @Test
    void readingsArePushedAtTheSetRate() {
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 1000}");
        DigitalInput button = board.digitalInput(4);
        List<Readings> got = new CopyOnWriteArrayList<>();
        board.addReadingsListener(got::add);
        List<Boolean> edges = new CopyOnWriteArrayList<>();
        button.addListener((high, at) -> edges.add(high));

        board.subscribe(Duration.ofMillis(20), List.of(Channel.adc(36)));
        assertThat(board.subscribedChannels()).containsExactly(Channel.adc(36), Channel.gpio(4));
        got.clear(); // from here on, only the new subscription pushes (its sequence starts at 0)
        Instant t0 = Instant.now();
        await().atMost(WAIT).until(() -> got.size() >= 50);
        Duration took = Duration.between(t0, Instant.now());

        List<Integer> spacing = new ArrayList<>();
        for (int i = 1; i < got.size(); i++) {
            spacing.add((got.get(i).deviceMillis() - got.get(i - 1).deviceMillis()) & 0xFFFF);
            assertThat(got.get(i).seq()).isEqualTo((got.get(i - 1).seq() + 1) & 0xFFFF);
        }
        Collections.sort(spacing);
        int median = spacing.get(spacing.size() / 2);
        System.out.printf("esp32 bridge pushes: %d frames in %d ms, device spacing median %d ms (min %d, max %d)%n",
                got.size(), took.toMillis(), median, spacing.get(0), spacing.get(spacing.size() - 1));
        assertThat(median).isBetween(18, 22);
        assertThat(got.get(0).value(Channel.adc(36))).isEqualTo(1000);
        assertThat(board.stats().pushesMissed()).isZero();

        // a subscribed channel reads the pushed value
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 2222}");
        AnalogInput adc = board.analogInput(36);
        await().atMost(WAIT).until(() -> adc.read() == 2222);
        // level changes reach the input's listeners through the pushes
        esp.command("{\"cmd\": \"input\", \"pin\": 4, \"level\": 1}");
        await().atMost(WAIT).until(() -> edges.contains(true));
        assertThat(button.read()).isTrue();

        // pushes that stop make a pushed value STALE, while requests still work
        esp.command("{\"cmd\": \"mute_pushes\", \"on\": true}");
        await().atMost(WAIT).untilAsserted(() -> assertThatThrownBy(adc::read)
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.STALE)));
        assertThat(board.ping()).isPositive();
        esp.command("{\"cmd\": \"mute_pushes\", \"on\": false}");
        await().atMost(WAIT).until(() -> adc.read() == 2222);

        board.subscribe(Duration.ZERO, List.of());
        assertThat(board.subscribedChannels()).containsExactly(Channel.gpio(4)); // the listener keeps its pin
    }

    @Test
    void aResetMidStreamIsFollowedByResynchronisation() {
        DigitalOutput led = board.digitalOutput(2, true);
        board.pwm(5).set(500, 0.5);
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 777}");
        List<Readings> got = new CopyOnWriteArrayList<>();
        board.addReadingsListener(got::add);
        board.subscribe(Duration.ofMillis(20), List.of(Channel.adc(36)));
        await().atMost(WAIT).until(() -> got.size() >= 5);
        long before = board.bootId();

        esp.command("{\"cmd\": \"reset\", \"truncate\": true}"); // cuts a frame off, then the ROM boot log
        assertThat(esp.bootId()).isNotEqualTo(before);
        await().atMost(WAIT).until(() -> board.bootId() == esp.bootId() && board.isConnected());

        // what the agent had configured is back on the ESP32
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(esp.pin(2)).containsEntry("mode", 3L).containsEntry("value", 1L);
            assertThat(esp.pwm(5)).containsEntry("freq", 500L).containsEntry("duty_u16", 32768L);
        });
        int n = got.size();
        await().atMost(WAIT).until(() -> got.size() >= n + 5);
        assertThat(got.get(got.size() - 1).value(Channel.adc(36))).isEqualTo(777);
        led.write(false);
        assertThat(esp.pin(2)).containsEntry("value", 0L);
        BridgeStats stats = board.stats();
        assertThat(stats.syncs()).isGreaterThanOrEqualTo(2);
        assertThat(stats.badFrames()).as("the cut-off frame with the boot log").isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRequestRightAfterAResetIsAnsweredAfterTheResync() {
        board.digitalOutput(2, true);
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 42}");
        AnalogInput adc = board.analogInput(36);
        esp.command("{\"cmd\": \"reset\"}");
        // the first request may meet the ESP32 without a session (NO_SESSION): the board re-syncs and retries
        await().atMost(WAIT).ignoreExceptions().until(() -> adc.read() == 42);
        assertThat(esp.pin(2)).containsEntry("value", 1L);
    }

    @Test
    void garbageOnTheLineLosesNoRequest() {
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 100}");
        AnalogInput adc = board.analogInput(36);
        String[] garbage = {
            "48656c6c6f2c20776f726c640d0a",        // text
            "00ff00fefd00",                        // delimiters around junk
            "0005112200",                          // a COBS block running past its frame
            "41".repeat(300),                      // an oversize run (no delimiter)
            "0003010200",                          // too short for a CRC
        };
        for (int i = 0; i < 50; i++) {
            esp.command("{\"cmd\": \"garbage\", \"hex\": \"" + garbage[i % garbage.length] + "\"}");
            assertThat(adc.read()).isEqualTo(100);
        }
        BridgeStats stats = board.stats();
        assertThat(stats.framingErrors()).isPositive();
        assertThat(stats.oversizeFrames()).isPositive();
        assertThat(stats.timeouts()).isZero();
    }

    @Test
    void framesArrivingInPiecesAreReassembled() {
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 321}");
        AnalogInput adc = board.analogInput(36);
        for (int i = 0; i < 5; i++) {
            esp.command("{\"cmd\": \"split_tx\", \"frames\": 1, \"gap_ms\": 60}");
            assertThat(adc.read()).isEqualTo(321);
        }
        assertThat(board.stats().retransmissions()).isZero();
        assertThat(board.stats().badFrames()).isZero();
    }

    @Test
    void crcErrorsCostARetransmissionAndNothingRunsTwice() {
        esp.command("{\"cmd\": \"i2c_chip\", \"bus\": 0, \"addr\": 80}");
        board.defineI2cBus("i2c0", 21, 22, 100_000);
        I2cDevice eeprom = board.i2c("i2c0", 0x50);

        esp.command("{\"cmd\": \"corrupt_tx\", \"frames\": 1}"); // the reply is damaged on the way back
        eeprom.writeRegister(0x10, 0xAB);
        assertThat(board.stats().crcErrors()).isEqualTo(1);
        assertThat(board.stats().retransmissions()).isPositive();
        assertThat(board.deviceStats().duplicates()).as("answered from the reply cache").isPositive();
        assertThat(esp.command("{\"cmd\": \"i2c_regs\", \"bus\": 0, \"addr\": 80}").get("writes"))
                .as("written once").isEqualTo(1L);

        long before = board.stats().retransmissions();
        esp.command("{\"cmd\": \"corrupt_rx\", \"frames\": 1}"); // the request is damaged on the way out
        assertThat(eeprom.readRegister(0x10)).isEqualTo(0xAB);
        assertThat(board.deviceStats().crcErrors()).isEqualTo(1);
        assertThat(board.stats().retransmissions()).isGreaterThan(before);
    }

    @Test
    void aSilentEsp32TimesOutAndIsResynchronisedWhenItSpeaksAgain() {
        DigitalOutput led = board.digitalOutput(2, false);
        AnalogInput adc = board.analogInput(36);
        esp.command("{\"cmd\": \"mute\", \"on\": true}");
        Instant t0 = Instant.now();
        assertThatThrownBy(adc::read)
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("no answer to ADC_READ");
        assertThat(Duration.between(t0, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(1200));
        await().atMost(WAIT).until(() -> !board.isConnected());
        // while it stays silent, requests fail fast with the same reason
        assertThatThrownBy(() -> led.write(true))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT));

        esp.command("{\"cmd\": \"mute\", \"on\": false}");
        await().atMost(WAIT).until(board::isConnected);
        assertThat(esp.pin(2)).as("the level written while it was silent").containsEntry("value", 1L);
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 5}");
        assertThat(adc.read()).isEqualTo(5);
        assertThat(board.stats().timeouts()).isPositive();
    }

    @Test
    void anUnpluggedPortIsReopenedWhenItComesBack() {
        DigitalOutput led = board.digitalOutput(2, true);
        AnalogInput adc = board.analogInput(36);
        esp.unplug();
        await().atMost(WAIT).until(() -> !board.isConnected());
        assertThatThrownBy(adc::read)
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT));

        esp.plug(); // a new pty pair at the same path, and a freshly booted ESP32
        await().atMost(WAIT).until(() -> board.isConnected() && board.bootId() == esp.bootId());
        assertThat(esp.pin(2)).containsEntry("mode", 3L).containsEntry("value", 1L);
        esp.command("{\"cmd\": \"adc\", \"pin\": 36, \"count\": 9}");
        assertThat(adc.read()).isEqualTo(9);
        led.write(false);
        assertThat(board.stats().reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void startFailsClearlyWhenNothingAnswers() {
        esp.command("{\"cmd\": \"mute\", \"on\": true}");
        board.close();
        board = null;
        Esp32BridgeConfig quick = config().withStartTimeout(Duration.ofMillis(500)); // less than one request
        assertThatThrownBy(() -> Esp32Board.open(quick))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                .hasMessageContaining("no handshake with the ESP32 bridge on " + esp.hostPort());
        Esp32BridgeConfig missing = Esp32BridgeConfig.of(dir.resolve("nothing-here").toString())
                .withStartTimeout(Duration.ofMillis(300));
        assertThatThrownBy(() -> Esp32Board.open(missing))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT))
                .hasMessageContaining("no such serial port");
    }

    @Test
    void resetOnOpenIsSkippedOnAPty() {
        board.close();
        board = Esp32Board.open(config().withResetOnOpen(true));
        assertThat(board.isConnected()).isTrue();
        Map<String, Object> state = esp.state();
        assertThat(state.get("boot_id")).isEqualTo(board.bootId());
    }
}
