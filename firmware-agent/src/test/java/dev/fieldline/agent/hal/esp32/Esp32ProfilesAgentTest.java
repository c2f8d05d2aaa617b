package dev.fieldline.agent.hal.esp32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.Agent;
import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.HalEnvironment;
import dev.fieldline.agent.interop.CoapGatewayStub;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole agent on each stock ESP32 profile, in simulation: only the serial port is swapped for
 * a real socat pty to the bridge program's own logic under python3 (fake {@code machine} module);
 * the esp32-bridge provider, the drivers (TMP36 on ADC1, BME280 over the bridge's I2C, a button,
 * a relay and an LED), the fault handling and a CoAP uplink run as on the host of a real ESP32.
 */
@Tag("interop")
class Esp32ProfilesAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int BME280 = 0x76;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"esp32-devkitc, esp32, 34, 4, 16, 13", "esp32-s3-devkitc, esp32s3, 4, 15, 16, 38"})
    void theAgentRunsOnTheStockProfileOverAPtyToTheBridgeLogic(String stock, String chip, int adcPin, int buttonPin,
            int relayPin, int ledPin) throws Exception {
        Path profile = dir.resolve("bench.yaml");
        Files.writeString(profile, """
                name: bench
                extends: %s
                sampling-interval: 200ms
                sensors:
                  probe: {driver: tmp36, pin: %d}
                  air: {driver: bme280, i2c: i2c0, address: 0x76}
                  door: {driver: button, pin: %d, active-low: true}
                actuators:
                  fan: {driver: relay, pin: %d}
                  lamp: {driver: led, pin: %d}
                """.formatted(stock, adcPin, buttonPin, relayPin, ledPin));
        String id = "bench-" + chip;
        try (SimulatedEsp32 esp = SimulatedEsp32.start(dir.resolve("sim"), chip);
                CoapGatewayStub gw = new CoapGatewayStub(0, id)) {
            // 0.75 V on the TMP36's pin (25 °C), a BME280 on the first I2C controller
            double reference = BoardProfiles.load(stock).adc().orElseThrow().referenceVolts();
            esp.command("{\"cmd\": \"adc\", \"pin\": " + adcPin + ", \"count\": " + Math.round(0.75 / reference * 4095) + "}");
            esp.command(bme280(null));
            AgentConfig config = AgentConfig.builder(id).board(profile.toString()).uplink("coap://127.0.0.1:" + gw.port())
                    .dataDir(dir.resolve("data")).heartbeatInterval(Duration.ofMillis(300)).inference(false)
                    .reconnect(new ReconnectPolicy(Duration.ofMillis(200), Duration.ofMillis(400), 0.1))
                    .sensorRetry(new ReconnectPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 0)).build();
            // the stock profile's port is /dev/ttyUSB0: only the port is swapped
            Agent agent = Agent.start(config, HalEnvironment.HARDWARE.withSerialPort(esp.hostPort().toString()));
            try {
                assertThat(agent.board().platform()).isEqualTo("esp32-bridge");
                // the active-low relay starts released (line high), the LED off (line low)
                assertThat(level(esp, relayPin)).isEqualTo(1);
                assertThat(level(esp, ledPin)).isEqualTo(0);

                await().atMost(WAIT).until(() -> !gw.telemetry(id).isEmpty());
                Map<String, Value> first = gw.telemetry(id).get(0);
                assertThat(first.keySet()).containsExactly("probe", "air/temperature", "air/humidity", "air/pressure", "door",
                        "fan", "lamp");
                assertThat(number(first, "probe")).isCloseTo(25.0, offset(0.1));
                assertThat(number(first, "air/temperature")).isCloseTo(25.08, offset(0.01));
                assertThat(first.get("door")).isEqualTo(new Value.Bool(false));

                // the BME280 stops acknowledging: faulted in the status, left out, the others go on
                esp.command(bme280("nack"));
                await().atMost(WAIT).until(() -> gw.health(id, "air").state() == SensorHealth.State.FAULTED);
                assertThat(gw.health(id, "air").reason()).isEqualTo("nack");
                int seen = gw.telemetry(id).size();
                await().atMost(WAIT).until(() -> gw.telemetry(id).size() > seen + 2);
                assertThat(gw.lastTelemetry(id)).doesNotContainKey("air/temperature").containsKeys("probe", "door");

                esp.command(bme280(null));
                await().atMost(WAIT).until(() -> gw.health(id, "air").state() == SensorHealth.State.OK);
                await().atMost(WAIT).until(() -> gw.lastTelemetry(id).containsKey("air/temperature"));
            } finally {
                agent.close();
            }
            assertThat(level(esp, relayPin)).isEqualTo(1);
            assertThat(level(esp, ledPin)).isEqualTo(0);
        }
    }

    /** A BME280's registers with Bosch's worked example as its reading (25.08 °C, 100653 Pa). */
    private static String bme280(String fault) {
        int[] regs = new int[256];
        regs[0xD0] = 0x60;
        int r = 0x88;
        for (int v : new int[] {27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000}) {
            regs[r++] = v & 0xff;
            regs[r++] = (v >> 8) & 0xff;
        }
        int[] h = {75, 360, 0, 325, 50, 30};
        regs[0xA1] = h[0];
        int[] e1 = {h[1] & 0xff, (h[1] >> 8) & 0xff, h[2] & 0xff, (h[3] >> 4) & 0xff, ((h[4] & 0x0f) << 4) | (h[3] & 0x0f),
                (h[4] >> 4) & 0xff, h[5] & 0xff};
        System.arraycopy(e1, 0, regs, 0xE1, e1.length);
        int adcP = 415148;
        int adcT = 519888;
        int adcH = 30000;
        int[] data = {adcP >> 12, (adcP >> 4) & 0xff, (adcP & 0xf) << 4, adcT >> 12, (adcT >> 4) & 0xff, (adcT & 0xf) << 4,
                adcH >> 8, adcH & 0xff};
        System.arraycopy(data, 0, regs, 0xF7, data.length);
        byte[] bytes = new byte[256];
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) regs[i];
        }
        return "{\"cmd\": \"i2c_chip\", \"bus\": 0, \"addr\": " + BME280 + ", \"regs\": \"" + HexFormat.of().formatHex(bytes)
                + "\", \"fault\": " + (fault == null ? "null" : "\"" + fault + "\"") + "}";
    }

    private static int level(SimulatedEsp32 esp, int pin) {
        Object v = esp.pin(pin).get("value");
        return ((Number) v).intValue();
    }

    private static double number(Map<String, Value> m, String name) {
        return ((Value.Num) m.get(name)).value();
    }
}
