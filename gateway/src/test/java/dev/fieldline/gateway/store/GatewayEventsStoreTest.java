package dev.fieldline.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Severity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayEventsStoreTest {
    @TempDir
    Path dir;

    @Test
    void keptAndQueriedNewestFirstByDeviceAndName() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics())) {
            GatewayEvent a = store.appendGatewayEvent(new GatewayEvent(0, "d-1", "insight", "temperature", Severity.INFO,
                    "temperature stable", Map.of("confidence", 0.5, "actions", List.of("no action needed")), t, t)).get();
            store.appendGatewayEvent(new GatewayEvent(0, "d-2", "insight", "temperature", Severity.WARNING, "hot",
                    Map.of(), t.plusSeconds(1), t)).get();
            store.appendGatewayEvent(new GatewayEvent(0, "d-1", "insight", "humidity", Severity.INFO, "dry", Map.of(), t, t)).get();
            store.appendGatewayEvent(new GatewayEvent(0, "d-1", "other", "temperature", Severity.INFO, "x", Map.of(), t, t)).get();

            assertThat(a.id()).isPositive();
            assertThat(store.gatewayEvents("insight", Optional.empty(), Optional.empty(), 10)).extracting(GatewayEvent::message)
                    .containsExactly("dry", "hot", "temperature stable");
            List<GatewayEvent> one = store.gatewayEvents("insight", Optional.of("d-1"), Optional.of("temperature"), 10);
            assertThat(one).containsExactly(a);
            assertThat(one.get(0).body()).isEqualTo(Map.of("confidence", 0.5, "actions", List.of("no action needed")));
            assertThat(store.gatewayEvents("insight", Optional.empty(), Optional.empty(), 1)).hasSize(1);
        }
    }
}
