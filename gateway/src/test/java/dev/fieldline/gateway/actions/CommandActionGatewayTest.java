package dev.fieldline.gateway.actions;

import static dev.fieldline.gateway.actions.Firings.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.gateway.rules.ActionSpec;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rule's command action reaches a device connected to a running gateway over MQTT. */
@Tag("loopback")
class CommandActionGatewayTest {
    @TempDir
    Path dir;

    @Test
    void aCommandActionIsDeliveredToTheFiringsDeviceOncePerFiring() throws Exception {
        GatewayConfig config = GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(-1).withMqttPort(0)
                .withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1);
        try (Gateway g = Gateway.start(config)) {
            MqttClient device = new MqttClient("tcp://127.0.0.1:" + g.mqttAddress().orElseThrow().getPort(), "dev-1",
                    new MemoryPersistence());
            List<Command> received = new CopyOnWriteArrayList<>();
            MessageCodec codec = new MessageCodec();
            try {
                MqttConnectOptions o = new MqttConnectOptions();
                o.setCleanSession(true);
                device.connect(o);
                device.subscribe("fl/v1/dev-1/cmd", 1, (topic, m) -> received.add(codec.decodeCommand(m.getPayload(), PayloadFormat.CBOR)));

                List<ActionSpec> led = List.of(new ActionSpec("command", Map.of("name", "led", "args", Map.of("on", true))));
                assertThat(g.actions().validate(led.get(0))).isEmpty();
                g.actions().fired(led, firing("dev-1", 80, 0));
                g.actions().fired(led, firing("dev-1", 80, 0)); // the same firing again: not sent twice
                g.actions().fired(led, firing("dev-1", 82, 40)); // a later firing: sent
                await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 2);
                assertThat(received).allSatisfy(c -> {
                    assertThat(c.name()).isEqualTo("led");
                    assertThat(c.args()).containsExactly(Map.entry("on", new Value.Bool(true)));
                });
                await().atMost(Duration.ofSeconds(5)).until(() -> g.metrics().get("commands_delivered_total") == 2);
                assertThat(g.metrics().get("actions_skipped_total", "type", "command")).isEqualTo(1);
                assertThat(g.store().commands("dev-1", 10)).hasSize(2);

                assertThat(g.actions().validate(new ActionSpec("command", Map.of("name", "has spaces", "args", Map.of("x", List.of())))))
                        .hasSize(2).anySatisfy(p -> assertThat(p).startsWith("command.name is refused by the protocol"))
                        .contains("command.args.x must be a number, a boolean or text, was a list");
                assertThat(g.actions().validate(new ActionSpec("command", Map.of()))).containsExactly("command.name is required");
                device.disconnect();
            } finally {
                device.close();
            }
        }
    }
}
