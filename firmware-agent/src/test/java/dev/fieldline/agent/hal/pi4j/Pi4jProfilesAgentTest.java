package dev.fieldline.agent.hal.pi4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.HalEnvironment;
import dev.fieldline.agent.hal.pi4j.emulated.BusFault;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.hal.pi4j.emulated.ProfileChips;
import dev.fieldline.agent.interop.CoapGatewayStub;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole agent on every stock Raspberry Pi profile, in simulation: only Pi4J's providers are
 * swapped (mock GPIO and PWM, emulated BME280, TMP102 and MCP3008 behind the I2C and SPI mocks);
 * the pi4j board, the drivers, the fault handling, the journal and a CoAP uplink run as on a Pi.
 * Telemetry carries every sensor, a sensor whose chip stops answering is reported faulted in the
 * status while the others go on, it comes back by itself, and the outputs end in their safe state.
 */
@Tag("loopback")
class Pi4jProfilesAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"rpi3b", "rpi4b", "rpi5", "rpi-zero-2w"})
    void theAgentRunsOnTheStockProfileWithEmulatedChips(String stock) throws Exception {
        Path profile = dir.resolve("bench.yaml");
        Files.writeString(profile, """
                name: bench
                extends: %s
                sampling-interval: 200ms
                sensors:
                  air: {driver: bme280, i2c: i2c1, address: 0x76}
                  outside: {driver: tmp102, i2c: i2c1, address: 0x48}
                  adc: {driver: mcp3008, spi: spi0, chip-select: 0, report: [7]}
                  soil: {driver: tmp36, adc: adc, channel: 0}
                  door: {driver: button, pin: 17, active-low: true}
                actuators:
                  fan: {driver: relay, pin: 27}
                  lamp: {driver: led, pin: 22}
                """.formatted(stock));
        EmulatedPi pi = ProfileChips.attach(new EmulatedPi(), BoardProfiles.load(profile.toString()));
        String id = "bench-" + stock;
        try (CoapGatewayStub gw = new CoapGatewayStub(0, id)) {
            AgentConfig config = AgentConfig.builder(id).board(profile.toString()).uplink("coap://127.0.0.1:" + gw.port())
                    .dataDir(dir.resolve("data")).heartbeatInterval(Duration.ofMillis(300)).inference(false)
                    .reconnect(new ReconnectPolicy(Duration.ofMillis(200), Duration.ofMillis(400), 0.1))
                    .sensorRetry(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 0)).build();
            Agent agent = Agent.start(config, HalEnvironment.HARDWARE.withPi4j(pi));
            var fanLine = pi.output(27);
            var lampLine = pi.output(22);
            try {
                // the active-low relay starts released (line high), the LED off (line low)
                assertThat(pi.outputLevel(27)).isTrue();
                assertThat(pi.outputLevel(22)).isFalse();
                assertThat(agent.board().platform()).isEqualTo("pi4j");

                await().atMost(WAIT).until(() -> !gw.telemetry(id).isEmpty());
                Map<String, Value> first = gw.telemetry(id).get(0);
                assertThat(first.keySet()).containsExactly("air/temperature", "air/humidity", "air/pressure", "outside",
                        "adc/ch7", "soil", "door", "fan", "lamp");
                assertThat(number(first, "air/temperature")).isCloseTo(25.08, org.assertj.core.data.Offset.offset(0.01));
                assertThat(number(first, "air/pressure")).isCloseTo(100653.3, org.assertj.core.data.Offset.offset(1.0));
                assertThat(number(first, "outside")).isEqualTo(ProfileChips.TMP102_CELSIUS);
                assertThat(number(first, "soil")).isCloseTo(21.5, org.assertj.core.data.Offset.offset(0.4));
                assertThat(number(first, "adc/ch7")).isCloseTo(ProfileChips.MCP3008_VOLTS, org.assertj.core.data.Offset.offset(0.004));
                assertThat(first.get("door")).isEqualTo(new Value.Bool(false));
                assertThat(first.get("fan")).isEqualTo(new Value.Bool(false));

                // the TMP102 stops acknowledging: faulted in the status, left out of telemetry, the others go on
                pi.fail(1, 0x48, BusFault.NACK);
                await().atMost(WAIT).until(() -> gw.health(id, "outside").state() == SensorHealth.State.FAULTED);
                SensorHealth faulted = gw.health(id, "outside");
                assertThat(faulted.reason()).isEqualTo("nack");
                assertThat(faulted.message()).isNotBlank();
                int seen = gw.telemetry(id).size();
                await().atMost(WAIT).until(() -> gw.telemetry(id).size() > seen + 2);
                Map<String, Value> during = gw.lastTelemetry(id);
                assertThat(during).doesNotContainKey("outside").containsKeys("air/temperature", "soil", "door");
                await().atMost(WAIT).until(() -> gw.health(id, "outside").retries() >= 2);
                assertThat(gw.lastStatus(id).orElseThrow().counters()).containsEntry("sensors_faulted", 1L);

                // back on the bus: it recovers by itself
                pi.heal(1, 0x48);
                await().atMost(WAIT).until(() -> gw.health(id, "outside").state() == SensorHealth.State.OK);
                await().atMost(WAIT).until(() -> gw.lastTelemetry(id).containsKey("outside"));
                assertThat(gw.lastStatus(id).orElseThrow().counters()).containsEntry("sensors_faulted", 0L).containsEntry("sensor_faults", 1L);

                // a press is seen; the relay obeys a command
                pi.setInput(17, false);
                await().atMost(WAIT).until(() -> gw.lastTelemetry(id).get("door").equals(new Value.Bool(true)));
                assertThat(agent.outputs()).containsEntry("fan", false).containsEntry("lamp", false);
                assertThat(agent.sensorHealth()).extracting(SensorHealth::name)
                        .containsExactly("air", "outside", "adc", "soil", "door");
            } finally {
                agent.close();
            }
            // outputs in their safe state, every Pi4J context shut down
            assertThat(fanLine.state().isHigh()).isTrue();
            assertThat(lampLine.state().isHigh()).isFalse();
            assertThat(pi.allContextsShutDown()).isTrue();
        }
    }

    private static double number(Map<String, Value> m, String name) {
        return ((Value.Num) m.get(name)).value();
    }
}
