package dev.fieldline.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreSensorHealthTest {
    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

    @TempDir
    Path dir;

    private static Decoded.StatusMessage status(DeviceState state, Instant at, List<SensorHealth> sensors) {
        return new Decoded.StatusMessage(new Status("dev-1", 7, at, state, Duration.ofSeconds(30), 1024, 5,
                Map.of("sent", 2L), sensors), Transport.MQTT, at);
    }

    @Test
    void theLatestSensorListRoundTripsSurvivesReopeningAndIsKeptByAStatusWithoutSensors() {
        List<SensorHealth> sensors = List.of(SensorHealth.ok("temperature", T0.minusSeconds(60)),
                new SensorHealth("pressure", SensorHealth.State.FAULTED, "nack", "no ACK from 0x77 on i2c-1",
                        T0.minusSeconds(5), 3));
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics())) {
            store.append(status(DeviceState.ONLINE, T0, List.of())).join();
            assertThat(store.device("dev-1").orElseThrow().status().orElseThrow().sensors())
                    .as("never reported any").isEmpty();

            store.append(status(DeviceState.ONLINE, T0.plusSeconds(1), sensors)).join();
            assertThat(store.device("dev-1").orElseThrow().status().orElseThrow().sensors()).isEqualTo(sensors);

            store.append(status(DeviceState.OFFLINE, T0.plusSeconds(2), List.of())).join();
        }
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics())) {
            Status latest = store.device("dev-1").orElseThrow().status().orElseThrow();
            assertThat(latest.state()).isEqualTo(DeviceState.OFFLINE);
            assertThat(latest.sensors()).as("the last will carries none: the last known list stays").isEqualTo(sensors);

            List<SensorHealth> recovered = List.of(SensorHealth.ok("temperature", T0.minusSeconds(60)),
                    SensorHealth.ok("pressure", T0.plusSeconds(3)));
            store.append(status(DeviceState.ONLINE, T0.plusSeconds(3), recovered)).join();
            assertThat(store.devices()).singleElement()
                    .satisfies(d -> assertThat(d.status().orElseThrow().sensors()).isEqualTo(recovered));
        }
    }
}
