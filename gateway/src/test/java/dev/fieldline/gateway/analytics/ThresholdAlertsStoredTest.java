package dev.fieldline.gateway.analytics;

import static dev.fieldline.gateway.testing.Uplinks.telemetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.AlertQuery;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThresholdAlertsStoredTest {
    @TempDir
    Path dir;

    @Test
    void readingsThroughTheIngestRaiseStoredAlertsOncePerReadingAboveThreshold() throws Exception {
        Metrics metrics = new Metrics();
        try (SqliteStore store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics)) {
            IngestPipeline pipeline = new IngestPipeline(store, metrics, DecodeLimits.DEFAULT);
            pipeline.addListener(new ThresholdRule(ThresholdConfig.DEFAULT, store, metrics, Clock.systemUTC()));
            double[] values = {70, 75, 76, 80.5, 75, 99};
            for (int i = 0; i < values.length; i++) {
                pipeline.submit(telemetry(Transport.MQTT, "dev-1", 1, i + 1, values[i])).get();
            }
            pipeline.submit(telemetry(Transport.MQTT, "dev-1", 1, 6, 99)).get(); // a redelivery: no second alert

            await().atMost(Duration.ofSeconds(5)).until(() -> metrics.total("alerts_raised_total") == 3);
            List<AlertRecord> alerts = store.alerts(new AlertQuery(Optional.of("dev-1"), Optional.of(AlertState.OPEN), 100));
            assertThat(alerts).extracting(a -> a.alert().value()).containsExactlyInAnyOrder(76.0, 80.5, 99.0);
            assertThat(alerts).allSatisfy(a -> {
                assertThat(a.alert().metric()).isEqualTo("temperature");
                assertThat(a.alert().threshold()).isEqualTo(75.0);
                assertThat(a.state()).isEqualTo(AlertState.OPEN);
            });
            assertThat(store.alerts(new AlertQuery(Optional.of("dev-2"), Optional.empty(), 100))).isEmpty();
        }
    }
}
