package dev.fieldline.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreQueryTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    @TempDir
    Path dir;
    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void append(String device, long boot, long seq, Reading... readings) {
        store.append(new Decoded.TelemetryMessage(new Telemetry(device, Optional.of(new Sequence(boot, seq)), List.of(readings)),
                Transport.COAP, T0)).join();
    }

    @Test
    void readingsAreFilteredByDeviceMetricAndHalfOpenTimeRangeNewestFirst() {
        List<CompletableFuture<AppendResult>> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            for (String device : List.of("a", "b")) {
                all.add(store.append(new Decoded.TelemetryMessage(new Telemetry(device, new Sequence(1, i + 1), List.of(
                        Reading.of("temperature", "Cel", i, T0.plusSeconds(i)),
                        Reading.of("humidity", "%RH", 50 + i, T0.plusSeconds(i)))), Transport.MQTT, T0)));
            }
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();

        List<StoredReading> rows = store.readings(ReadingQuery.latest(100).withDevice("a").withMetric("temperature")
                .between(T0.plusSeconds(2), T0.plusSeconds(5)));

        assertThat(rows).extracting(r -> r.reading().number().getAsDouble()).containsExactly(4.0, 3.0, 2.0);
        assertThat(rows).allSatisfy(r -> assertThat(r.deviceId()).isEqualTo("a"));
        assertThat(rows.get(0).sequence()).contains(new Sequence(1, 5));
        assertThat(store.readings(ReadingQuery.latest(3))).hasSize(3)
                .allSatisfy(r -> assertThat(r.reading().time()).isEqualTo(T0.plusSeconds(9)));
        assertThat(store.readings(ReadingQuery.latest(100).withMetric("humidity"))).hasSize(20);
        assertThat(store.devices()).extracting(DeviceRecord::id).containsExactlyInAnyOrder("a", "b");
        assertThat(store.device("a").orElseThrow().readings()).isEqualTo(20);
        assertThatThrownBy(() -> ReadingQuery.latest(10_001)).hasMessageContaining("limit");
    }

    @Test
    void everyValueKindAndSumsRoundTrip() {
        byte[] blob = {1, 2, 3};
        append("dev-1", 1, 1,
                Reading.of("door", "", new Value.Bool(true), T0),
                Reading.of("mode", "", new Value.Text("eco"), T0),
                Reading.of("image", "", new Value.Data(blob), T0),
                new Reading("energy", "J", Optional.empty(), OptionalDouble.of(12.5), T0),
                new Reading("flow", "l", Optional.of(new Value.Num(1.5)), OptionalDouble.of(300), T0));

        List<StoredReading> rows = store.readings(ReadingQuery.latest(10));
        assertThat(rows).extracting(r -> r.reading()).containsExactlyInAnyOrder(
                Reading.of("door", "", new Value.Bool(true), T0),
                Reading.of("mode", "", new Value.Text("eco"), T0),
                Reading.of("image", "", new Value.Data(blob), T0),
                new Reading("energy", "J", Optional.empty(), OptionalDouble.of(12.5), T0),
                new Reading("flow", "l", Optional.of(new Value.Num(1.5)), OptionalDouble.of(300), T0));
    }

    @Test
    void gapsInTheSequenceOfABootAreReported() {
        for (long seq : new long[] {1, 2, 5, 6, 9}) {
            append("dev-1", 7, seq, Reading.of("t", "Cel", 1, T0));
        }
        append("dev-1", 8, 1, Reading.of("t", "Cel", 1, T0));

        List<BootSequence> boots = store.boots("dev-1");
        assertThat(boots).extracting(BootSequence::bootId).containsExactly(8L, 7L);
        BootSequence b7 = boots.get(1);
        assertThat(b7.highestSeq()).isEqualTo(9);
        assertThat(b7.received()).isEqualTo(5);
        assertThat(b7.missing()).isEqualTo(4);
        assertThat(store.gaps("dev-1", 7, 10)).containsExactly(new SeqRange(3, 4), new SeqRange(7, 8));
        assertThat(store.gaps("dev-1", 8, 10)).isEmpty();
    }

    @Test
    void committedThroughEndsTheRunOfStoredSequenceNumbersStartingAtFrom() {
        for (long seq : new long[] {1, 2, 3, 5, 6, 9}) {
            append("dev-1", 7, seq, Reading.of("t", "Cel", 1, T0));
        }
        for (long seq = 1; seq <= 4; seq++) {
            append("dev-1", 8, seq, Reading.of("t", "Cel", 1, T0));
        }

        assertThat(store.committedThrough("dev-1", 7, 1)).isEqualTo(3);
        assertThat(store.committedThrough("dev-1", 7, 3)).isEqualTo(3);
        assertThat(store.committedThrough("dev-1", 7, 4)).as("4 is the gap").isEqualTo(3);
        assertThat(store.committedThrough("dev-1", 7, 5)).isEqualTo(6);
        assertThat(store.committedThrough("dev-1", 7, 9)).isEqualTo(9);
        assertThat(store.committedThrough("dev-1", 7, 10)).isEqualTo(9);
        assertThat(store.committedThrough("dev-1", 8, 1)).as("no gap").isEqualTo(4);
        assertThat(store.committedThrough("dev-1", 8, 3)).isEqualTo(4);
        assertThat(store.committedThrough("dev-1", 9, 1)).as("unknown boot").isZero();
        assertThat(store.committedThrough("other", 7, 1)).as("unknown device").isZero();

        append("dev-1", 7, 4, Reading.of("t", "Cel", 1, T0));
        assertThat(store.committedThrough("dev-1", 7, 4)).as("the gap closed").isEqualTo(6);
        assertThatThrownBy(() -> store.committedThrough("dev-1", 7, 0)).hasMessageContaining("from");
    }
}
