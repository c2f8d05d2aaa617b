package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.testsupport.Mosquitto;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * External-broker mode across a connection loss, against a real Mosquitto behind a {@link TcpProxy}.
 *
 * <p>Mosquitto grants topic aliases, so Paho sends the gateway's second ack on a topic with the alias
 * only. If that PUBLISH is in flight when the connection dies, Paho 1.2.5 (automatic reconnect, clean
 * start off) sends it again on the next connection, alias and no topic name: on a new connection
 * that alias means nothing, Mosquitto answers DISCONNECT 0x82 (protocol error), and so on at every
 * reconnection, for ever. This is how the gateway lost its broker after a Mosquitto restart in
 * {@code BrokerRestartTest}. The gateway now uses a new client per connection and publishes what
 * the broker had not acknowledged again, with its topic.
 */
@Tag("interop")
class BrokerIngestReconnectTest {
    private static final Pattern VALUE = Pattern.compile("\"v\":(\\d+)");

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final FakeIngest ingest = new FakeIngest();
    private final TestResources resources = new TestResources();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final MessageCodec codec = new MessageCodec();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private static MqttMessage reading(long seq) {
        MqttMessage m = new MqttMessage(("[{\"n\":\"x\",\"v\":" + seq + "}]").getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return m;
    }

    private boolean acked(long seq) {
        return acks.stream().anyMatch(a -> a.bootId() == 1 && a.covers(seq));
    }

    private boolean ingested(long seq) {
        return ingest.texts().stream().anyMatch(t -> t.contains("\"v\":" + seq + "}"));
    }

    @Test
    void aPublishInFlightWhenTheConnectionDiesDoesNotLockTheGatewayOut() throws Exception {
        // every reading is stored as (boot 1, seq = its value), so the gateway acks it
        ingest.answer(u -> {
            Matcher m = VALUE.matcher(new String(u.payload(), StandardCharsets.UTF_8));
            return m.find() ? new IngestResult.Stored(Optional.of(new Sequence(1, Long.parseLong(m.group(1)))), 1)
                    : FakeIngest.stored();
        });
        Mosquitto broker = resources.add(Mosquitto.start(dir.resolve("mosquitto")));
        TcpProxy proxy = resources.add(new TcpProxy(broker.port()));
        BrokerIngest gateway = resources.add(new BrokerIngest(new BrokerIngestConfig(URI.create(proxy.url()), "gw-1", "gw"),
                ingest, new FakeDownlink(), metrics));
        gateway.start();

        MqttAsyncClient observer = resources.client(broker.url(), "observer");
        observer.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                acks.add(codec.decodeAck(topic.split("/")[2], message.getPayload(), PayloadFormat.CBOR));
            }
        });
        observer.connect(new MqttConnectionOptions()).waitForCompletion(5000);
        observer.subscribe(new MqttSubscription[] {new MqttSubscription("fl/v1/+/ack", 1)}).waitForCompletion(5000);
        MqttAsyncClient device = resources.client(broker.url(), "dev-1");
        device.connect(new MqttConnectionOptions()).waitForCompletion(5000);

        // the first ack names its topic (and binds an alias to it on this connection)
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            device.publish("fl/v1/dev-1/telemetry", reading(1)).waitForCompletion(5000);
            return acked(1);
        });

        // the next ack goes out with the alias only, and never reaches the broker
        proxy.holdClientBytes();
        TcpProxy.Connection first = proxy.connections().get(proxy.connections().size() - 1);
        device.publish("fl/v1/dev-1/telemetry", reading(2)).waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> publishes(first.fromClient()).stream()
                .anyMatch(p -> p.topic().isEmpty() && p.topicAlias() > 0));

        // the connection dies with that PUBLISH unacknowledged
        int before = proxy.connections().size();
        proxy.cut();
        proxy.release();

        // the unacknowledged ack goes out again on the next connection, with its topic name
        await().atMost(Duration.ofSeconds(10)).until(() -> proxy.connections().size() > before
                && !publishes(proxy.connections().get(before).fromClient()).isEmpty());
        assertThat(unboundAliases(publishes(proxy.connections().get(before).fromClient())))
                .as("PUBLISHes on the connection after the loss that name no topic and use an alias this connection"
                        + " never bound (a protocol error: the alias belonged to the lost connection)")
                .isEmpty();

        device.publish("fl/v1/dev-1/telemetry", reading(3)).waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(20)).until(() -> ingested(3) && acked(2) && acked(3));
        // and the gateway stays connected: no protocol-error loop
        long disconnects = metrics.total("broker_disconnects_total");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                .until(() -> gateway.connected() && metrics.total("broker_disconnects_total") == disconnects);
        assertThat(proxy.connections()).hasSize(before + 1);
        assertThat(metrics.total("broker_republished_total")).isPositive();
    }

    /** A PUBLISH a client sent: its topic name (empty when only an alias is given) and topic alias (0: none). */
    record Publish(boolean dup, int qos, String topic, int topicAlias) {
    }

    /** PUBLISHes with no topic name whose topic alias no earlier PUBLISH of the same connection bound. */
    static List<Publish> unboundAliases(List<Publish> connection) {
        Set<Integer> bound = new HashSet<>();
        List<Publish> unbound = new ArrayList<>();
        for (Publish p : connection) {
            if (!p.topic().isEmpty() && p.topicAlias() > 0) {
                bound.add(p.topicAlias());
            } else if (p.topic().isEmpty() && !bound.contains(p.topicAlias())) {
                unbound.add(p);
            }
        }
        return unbound;
    }

    /** The PUBLISH packets in what an MQTT 5 client sent (an incomplete last packet is ignored). */
    static List<Publish> publishes(byte[] stream) {
        List<Publish> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(stream);
        while (b.remaining() >= 2) {
            int start = b.position();
            int header = b.get() & 0xff;
            int length = 0;
            int shift = 0;
            int digit;
            do {
                if (!b.hasRemaining()) {
                    return out;
                }
                digit = b.get() & 0xff;
                length |= (digit & 0x7f) << shift;
                shift += 7;
            } while ((digit & 0x80) != 0);
            if (b.remaining() < length) {
                return out;
            }
            int end = b.position() + length;
            if (header >> 4 == 3) {
                int qos = (header >> 1) & 3;
                byte[] topic = new byte[b.getShort() & 0xffff];
                b.get(topic);
                if (qos > 0) {
                    b.getShort();
                }
                int alias = 0;
                int propertiesEnd = readVarInt(b) + b.position();
                while (b.position() < propertiesEnd) {
                    int id = b.get() & 0xff;
                    switch (id) {
                        case 0x01 -> b.get();
                        case 0x02 -> b.getInt();
                        case 0x23 -> alias = b.getShort() & 0xffff;
                        case 0x03, 0x08, 0x09 -> skipString(b);
                        case 0x0B -> readVarInt(b);
                        case 0x26 -> {
                            skipString(b);
                            skipString(b);
                        }
                        default -> throw new IllegalStateException("PUBLISH property 0x" + Integer.toHexString(id)
                                + " at " + start);
                    }
                }
                out.add(new Publish((header & 0x08) != 0, qos, new String(topic, StandardCharsets.UTF_8), alias));
            }
            b.position(end);
        }
        return out;
    }

    private static void skipString(ByteBuffer b) {
        int length = b.getShort() & 0xffff;
        b.position(b.position() + length);
    }

    private static int readVarInt(ByteBuffer b) {
        int value = 0;
        int shift = 0;
        int digit;
        do {
            digit = b.get() & 0xff;
            value |= (digit & 0x7f) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0);
        return value;
    }
}
