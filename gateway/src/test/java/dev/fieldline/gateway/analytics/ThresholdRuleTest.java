package dev.fieldline.gateway.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ThresholdRuleTest {
    private static final Instant T = Instant.parse("2025-03-01T12:00:00Z");
    private final Metrics metrics = new Metrics();
    private final RecordingAlertSink sink = new RecordingAlertSink();
    private final Clock clock = Clock.fixed(T.plusSeconds(1), ZoneOffset.UTC);

    private static Decoded telemetry(Reading... readings) {
        return new Decoded.TelemetryMessage(new Telemetry("dev-1", new Sequence(1, 1), List.of(readings)), Transport.MQTT, T);
    }

    @Test
    void everyNumericReadingStrictlyAboveTheThresholdRaisesOneWarning() {
        ThresholdRule rule = new ThresholdRule(ThresholdConfig.DEFAULT, sink, metrics, clock);

        rule.committed(telemetry(
                Reading.of("temperature", "Cel", 74.9, T),
                Reading.of("temperature", "Cel", 75.0, T),
                Reading.of("temperature", "Cel", 75.01, T),
                Reading.of("humidity", "%RH", 90, T),
                Reading.of("door", "", new Value.Bool(true), T),
                Reading.of("label", "", new Value.Text("100"), T)));

        assertThat(sink.raised()).extracting(Alert::metric, Alert::value).containsExactly(
                org.assertj.core.groups.Tuple.tuple("temperature", 75.01), org.assertj.core.groups.Tuple.tuple("humidity", 90.0));
        Alert a = sink.raised().get(0);
        assertThat(a.deviceId()).isEqualTo("dev-1");
        assertThat(a.threshold()).isEqualTo(75.0);
        assertThat(a.severity()).isEqualTo(Severity.WARNING);
        assertThat(a.rule()).isEqualTo("threshold");
        assertThat(a.readingTime()).isEqualTo(T);
        assertThat(a.createdAt()).isEqualTo(T.plusSeconds(1));
        assertThat(a.message()).isEqualTo("temperature is 75.01 Cel, above 75.0 Cel");
        assertThat(metrics.get("alerts_raised_total", "rule", "threshold", "severity", "warning")).isEqualTo(2);
    }

    @Test
    void thresholdAndWatchedMetricsAreConfigurable() {
        ThresholdRule rule = new ThresholdRule(ThresholdConfig.DEFAULT.withThreshold(30).withMetrics(Set.of("temperature")),
                sink, metrics, clock);

        rule.committed(telemetry(Reading.of("temperature", "Cel", 31, T), Reading.of("humidity", "%RH", 90, T)));

        assertThat(sink.raised()).extracting(Alert::metric).containsExactly("temperature");
    }

    @Test
    void otherMessageKindsAreIgnored() {
        ThresholdRule rule = new ThresholdRule(ThresholdConfig.DEFAULT, sink, metrics, clock);
        rule.committed(new Decoded.StatusMessage(new dev.fieldline.protocol.Status("dev-1", 1, T,
                dev.fieldline.protocol.DeviceState.ONLINE, java.time.Duration.ofSeconds(100), 100, 100, java.util.Map.of()),
                Transport.MQTT, T));
        assertThat(sink.raised()).isEmpty();
    }

    @Test
    void anAlertTheStoreRefusesIsCountedAsDropped() {
        AlertSink full = alert -> CompletableFuture.failedFuture(new IllegalStateException("queue full"));
        new ThresholdRule(ThresholdConfig.DEFAULT, full, metrics, clock).committed(telemetry(Reading.of("t", "Cel", 80, T)));
        assertThat(metrics.get("alerts_dropped_total", "rule", "threshold")).isEqualTo(1);
        assertThat(metrics.total("alerts_raised_total")).isZero();
    }
}
