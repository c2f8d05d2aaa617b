package dev.fieldline.gateway.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.testsupport.Mosquitto;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.LongStream;
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
 * External-broker mode against a real Mosquitto: after committing a device's messages the gateway
 * publishes acks on {@code fl/v1/{id}/ack} that cover exactly what the store holds, past a gap,
 * coalesced, and again for a duplicate.
 */
@Tag("interop")
class BrokerIngestAckTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final TestResources resources = new TestResources();
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final MessageCodec codec = new MessageCodec();

    @AfterEach
    void closeAll() throws Exception {
        resources.close();
    }

    private static MqttMessage telemetry(String device, long boot, long seq) {
        byte[] payload = new SenmlCodec().encode(new Telemetry(device, new Sequence(boot, seq),
                List.of(Reading.of("t", "Cel", seq, T0.plusSeconds(seq)))), PayloadFormat.CBOR);
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        return m;
    }

    /** Union of what the acks seen so far say about one device's boot: seq -> covered. */
    private boolean covered(String device, long boot, long seq) {
        return acks.stream().anyMatch(a -> a.deviceId().equals(device) && a.bootId() == boot && a.covers(seq));
    }

    @Test
    void acksCoverExactlyWhatIsCommittedPastAGapCoalescedAndAgainForADuplicate() throws Exception {
        Mosquitto broker = resources.add(Mosquitto.start(dir.resolve("mosquitto")));
        SqliteStore store = resources.add(SqliteStore.open(SqliteStoreConfig.defaults(dir.resolve("gw")), metrics));
        IngestPipeline pipeline = new IngestPipeline(store, metrics, DecodeLimits.DEFAULT);
        BrokerIngest gateway = resources.add(new BrokerIngest(new BrokerIngestConfig(URI.create(broker.url()), "gw-1", "gw"),
                pipeline, new FakeDownlink(), metrics, store));
        gateway.start();

        MqttAsyncClient observer = resources.client(broker.url(), "observer");
        observer.setCallback(new MqttCallbackAdapter() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                String device = topic.split("/")[2];
                acks.add(codec.decodeAck(device, message.getPayload(), PayloadFormat.CBOR));
            }
        });
        observer.connect(new MqttConnectionOptions()).waitForCompletion(5000);
        observer.subscribe(new MqttSubscription[] {new MqttSubscription("fl/v1/+/ack", 1)}).waitForCompletion(5000);

        MqttAsyncClient device = resources.client(broker.url(), "dev-1");
        device.connect(new MqttConnectionOptions()).waitForCompletion(5000);
        // the gateway's subscription is in place once a first message is committed and acked
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            device.publish("fl/v1/dev-1/telemetry", telemetry("dev-1", 4, 1)).waitForCompletion(5000);
            return covered("dev-1", 4, 1);
        });

        // seq 2..300 of boot 4 except 7 (a message the device dropped), published as fast as possible
        long[] sent = LongStream.rangeClosed(2, 300).filter(s -> s != 7).toArray();
        for (long seq : sent) {
            device.publish("fl/v1/dev-1/telemetry", telemetry("dev-1", 4, seq)).waitForCompletion(5000);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> covered("dev-1", 4, 300));
        assertThat(LongStream.rangeClosed(1, 300).filter(s -> s != 7)).allMatch(s -> covered("dev-1", 4, s));
        assertThat(covered("dev-1", 4, 7)).as("the dropped message is never acked").isFalse();
        assertThat(LongStream.rangeClosed(1, 300).filter(s -> covered("dev-1", 4, s)).count())
                .isEqualTo(store.boots("dev-1").get(0).received());
        Ack last = acks.get(acks.size() - 1);
        assertThat(last.watermark()).as("the watermark stops at the gap").isEqualTo(6);
        assertThat(last.ranges()).isNotEmpty().allSatisfy(r -> assertThat(r.first()).isGreaterThan(7));
        assertThat(acks).hasSizeLessThan(100).as("coalesced: far fewer acks than messages");
        await().until(() -> metrics.total("broker_acks_sent_total") == acks.size());

        // a redelivered message is committed already: it is acked again (its first ack may have been lost)
        int before = acks.size();
        long duplicatesBefore = metrics.total("ingest_duplicate_total");
        device.publish("fl/v1/dev-1/telemetry", telemetry("dev-1", 4, 150)).waitForCompletion(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> acks.size() > before);
        Ack again = acks.get(acks.size() - 1);
        assertThat(again.covers(150)).isTrue();
        assertThat(again.covers(7)).isFalse();
        assertThat(metrics.total("ingest_duplicate_total")).isEqualTo(duplicatesBefore + 1);
        assertThat(store.boots("dev-1").get(0).received()).isEqualTo(299);
    }

    @Test
    void mergingRangesJoinsOverlappingAndAdjacentOnes() {
        TreeMap<Long, Long> r = new TreeMap<>();
        assertThat(CommitAcks.add(r, 5, 5)).isEqualTo(1);
        assertThat(CommitAcks.add(r, 7, 7)).isEqualTo(1);
        assertThat(CommitAcks.add(r, 6, 6)).isEqualTo(-1);
        assertThat(r).containsExactly(java.util.Map.entry(5L, 7L));
        assertThat(CommitAcks.add(r, 5, 5)).isZero();
        assertThat(CommitAcks.add(r, 10, 12)).isEqualTo(1);
        assertThat(CommitAcks.add(r, 20, 30)).isEqualTo(1);
        assertThat(CommitAcks.add(r, 1, 25)).isEqualTo(-2);
        assertThat(r).containsExactly(java.util.Map.entry(1L, 30L));
        assertThat(CommitAcks.add(r, 31, 31)).isZero();
        assertThat(r).containsExactly(java.util.Map.entry(1L, 31L));
    }
}
