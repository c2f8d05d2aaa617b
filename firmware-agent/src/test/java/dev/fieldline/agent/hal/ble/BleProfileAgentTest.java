package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.HalEnvironment;
import dev.fieldline.agent.hal.ble.FakeBluez.FakeDevice;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.agent.interop.CoapGatewayStub;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole agent on a stock Raspberry Pi profile with a BLE Environmental Sensing sensor, in
 * simulation: Pi4J's providers swapped for mocks and the system bus for a real D-Bus daemon with a
 * fake {@code org.bluez}. A sensor not yet in range is faulted (absent) while the board's other
 * outputs are reported; once it advertises, the agent connects and its readings arrive.
 */
@Tag("interop")
class BleProfileAgentTest {
    private static final String ADDRESS = "C0:FF:EE:00:00:01";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aBleSensorIsFaultedUntilItAppearsThenReported() throws Exception {
        Path profile = dir.resolve("porch.yaml");
        Files.writeString(profile, """
                name: porch
                extends: rpi-zero-2w
                sampling-interval: 200ms
                sensors:
                  porch: {driver: ble-ess, address: "%s"}
                actuators:
                  status: {driver: led, pin: 27}
                """.formatted(ADDRESS));
        String id = "porch-1";
        try (DbusDaemon daemon = DbusDaemon.start(dir.resolve("bus"));
                FakeBluez bluez = FakeBluez.start(daemon.address());
                CoapGatewayStub gw = new CoapGatewayStub(0, id)) {
            AgentConfig config = AgentConfig.builder(id).board(profile.toString()).uplink("coap://127.0.0.1:" + gw.port())
                    .dataDir(dir.resolve("data")).heartbeatInterval(Duration.ofMillis(300)).inference(false)
                    .reconnect(new ReconnectPolicy(Duration.ofMillis(200), Duration.ofMillis(400), 0.1))
                    .sensorRetry(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(300), 0)).build();
            try (Agent agent = Agent.start(config, HalEnvironment.HARDWARE.withPi4j(new EmulatedPi()).withBleBus(daemon.address()))) {
                await().atMost(WAIT).until(() -> gw.health(id, "porch").state() == SensorHealth.State.FAULTED);
                assertThat(gw.health(id, "porch").reason()).isEqualTo("absent");
                await().atMost(WAIT).until(() -> !gw.telemetry(id).isEmpty());
                assertThat(gw.lastTelemetry(id)).containsOnlyKeys("status");

                FakeDevice device = bluez.device(ADDRESS).name("ESS-Porch").uuids(BleUuid.ENVIRONMENTAL_SENSING)
                        .ess(true, EssCharacteristic.TEMPERATURE, EssCharacteristic.HUMIDITY);
                device.characteristic(EssCharacteristic.TEMPERATURE).value(HexFormat.of().parseHex("c409")); // 25.00 °C
                device.characteristic(EssCharacteristic.HUMIDITY).value(HexFormat.of().parseHex("bf13")); // 50.55 %
                device.inRange();

                await().atMost(WAIT).until(() -> gw.lastTelemetry(id).containsKey("porch/temperature"));
                Map<String, Value> m = gw.lastTelemetry(id);
                assertThat(m.get("porch/temperature")).isEqualTo(new Value.Num(25.0));
                assertThat(m.get("porch/humidity")).isEqualTo(new Value.Num(50.55));
                await().atMost(WAIT).until(() -> gw.health(id, "porch").state() == SensorHealth.State.OK);
                assertThat(agent.sensorHealth()).extracting(SensorHealth::state).containsExactly(SensorHealth.State.OK);
            }
        }
    }
}
