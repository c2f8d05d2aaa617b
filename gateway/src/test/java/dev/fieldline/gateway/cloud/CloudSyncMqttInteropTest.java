package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.config.Backoff;
import dev.fieldline.gateway.cloud.CloudSyncConfig.MqttTarget;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.mqtt.MqttCallbackAdapter;
import dev.fieldline.gateway.mqtt.PahoClients;
import dev.fieldline.testsupport.Mosquitto;
import dev.fieldline.testsupport.Peers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud sync to a real upstream Mosquitto (persistent, as production brokers are) that the test
 * stops and restarts mid-stream, with a persistent QoS 1 subscriber standing in for the cloud.
 */
@Tag("interop")
class CloudSyncMqttInteropTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final List<AutoCloseable> open = new ArrayList<>();
    /** Every delivery to the subscriber, duplicates included: record id, topic. */
    private final List<String[]> deliveries = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private MqttAsyncClient subscriber;

    @AfterEach
    void closeAll() throws Exception {
        dropSubscriber();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A persistent session (clean start off, 1 h expiry): what arrives while it is away is queued. */
    private void connectSubscriber(String url) throws MqttException {
        subscriber = new MqttAsyncClient(url, "cloud-consumer", new MemoryPersistence());
        subscriber.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                JsonNode record = JSON.readTree(message.getPayload());
                String id = record.path("id").asText();
                List<UserProperty> props = message.getProperties().getUserProperties();
                if (props.stream().noneMatch(p -> p.getKey().equals("record-id") && p.getValue().equals(id))) {
                    problems.add("record " + id + " without a matching record-id property: " + props);
                }
                deliveries.add(new String[] {id, topic});
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setAutomaticReconnect(false);
        subscriber.connect(o).waitForCompletion(10_000);
        subscriber.subscribe(new MqttSubscription("fieldline/+/+", 1)).waitForCompletion(10_000);
    }

    private void dropSubscriber() {
        MqttAsyncClient s = subscriber;
        subscriber = null;
        if (s == null) {
            return;
        }
        PahoClients.discard(s);
    }

    private Set<String> distinct() {
        Set<String> ids = new LinkedHashSet<>();
        deliveries.forEach(d -> ids.add(d[0]));
        return ids;
    }

    private static void forward(CloudSync sync, int from, int to) {
        for (int i = from; i <= to; i++) {
            assertThat(sync.forward(CloudSyncHttpTest.record(i))).isTrue();
        }
    }

    @Test
    void everyRecordArrivesInOrderAcrossABrokerRestart() throws Exception {
        int port = Peers.freeTcpPort();
        Path brokerDir = dir.resolve("broker");
        Mosquitto broker = Mosquitto.start(brokerDir, port, true);
        connectSubscriber(broker.url());
        MqttTarget target = MqttTarget.of(URI.create(broker.url()), "gw-cloud-1", "fieldline")
                .withMaxInFlight(10).withTimeout(Duration.ofSeconds(3));
        CloudSync sync = CloudSync.start(CloudSyncConfig.of(target, CloudSelection.NONE)
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500), 0.2)), dir.resolve("gw"), metrics,
                Clock.systemUTC());
        open.add(sync);

        forward(sync, 1, 300);
        await().atMost(Duration.ofSeconds(30)).until(() -> distinct().size() >= 20);
        broker.close();
        dropSubscriber();
        forward(sync, 301, 400);
        await().atMost(Duration.ofSeconds(30)).until(() -> metrics.total("cloud_send_failures_total") >= 2);
        assertThat(sync.pending()).isPositive();

        broker = Mosquitto.start(brokerDir, port, true);
        open.add(broker);
        connectSubscriber(broker.url());
        forward(sync, 401, 500);

        await().atMost(Duration.ofSeconds(60)).until(() -> sync.pending() == 0 && distinct().size() == 500);
        assertThat(new ArrayList<>(distinct())).as("first copies in order").containsExactlyElementsOf(CloudSyncHttpTest.ids(1, 500));
        assertThat(deliveries).allSatisfy(d -> assertThat(d[1]).isEqualTo("fieldline/dev-1/insight"));
        assertThat(problems).isEmpty();
        assertThat(metrics.get("cloud_forwarded_total", "kind", "insight")).isEqualTo(500);
        int duplicates = deliveries.size() - 500;
        System.out.printf("cloud sync over MQTT across a broker restart: %d deliveries of 500 records, %d duplicates"
                + " (same record id), %d send failures%n", deliveries.size(), duplicates,
                metrics.total("cloud_send_failures_total"));
    }

    @Test
    void aRecordWhoseDeviceIdCannotBeATopicBecomesADeadLetter() throws Exception {
        Mosquitto broker = Mosquitto.start(dir.resolve("broker"));
        open.add(broker);
        connectSubscriber(broker.url());
        CloudSync sync = CloudSync.start(CloudSyncConfig.of(MqttTarget.of(URI.create(broker.url()), "gw-cloud-2",
                "fieldline"), CloudSelection.NONE), dir.resolve("gw"), metrics, Clock.systemUTC());
        open.add(sync);
        forward(sync, 1, 2);
        assertThat(sync.forward(new CloudRecord("insight", "bad", "dev/+", java.time.Instant.EPOCH, java.util.Map.of())))
                .isTrue();
        forward(sync, 3, 4);

        await().atMost(Duration.ofSeconds(20)).until(() -> sync.pending() == 0 && distinct().size() == 4);
        assertThat(new ArrayList<>(distinct())).containsExactlyElementsOf(CloudSyncHttpTest.ids(1, 4));
        assertThat(sync.deadLetters(10)).extracting(CloudOutbox.DeadLetter::recordId).containsExactly("bad");
        assertThat(metrics.get("cloud_dead_letters_total")).isEqualTo(1);
    }
}
