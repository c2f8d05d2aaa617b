package dev.fieldline.gateway.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.analytics.engine.EngineConfig;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.RecordingActionRunner;
import dev.fieldline.gateway.rules.RuleEngine;
import dev.fieldline.gateway.rules.RuleParser;
import dev.fieldline.gateway.testing.ManualClock;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class StreamAnalyticsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final Metrics metrics = new Metrics();
    private final ManualClock clock = new ManualClock(T0);
    private final RecordingActionRunner runner = new RecordingActionRunner();
    private final RuleEngine rules = new RuleEngine(runner, d -> Map.of(), metrics, clock);
    private final List<Observation> insights = new CopyOnWriteArrayList<>();
    private long seq;

    private StreamAnalytics analytics(StreamAnalyticsConfig config) {
        return new StreamAnalytics(EngineConfig.builder().detector("zscore", Map.of()).build(), rules,
                (engine, latest) -> insights.add(latest), metrics, clock, config);
    }

    private void send(StreamAnalytics a, String device, Reading... readings) {
        a.committed(new Decoded.TelemetryMessage(new Telemetry(device, Optional.of(new Sequence(1, ++seq)), List.of(readings)),
                Transport.HTTP, clock.instant()));
    }

    private static Reading temperature(long second, double v) {
        return Reading.of("temperature", "Cel", v, T0.plusSeconds(second));
    }

    @Test
    void everyNumericReadingIsAnalysedAndEvaluated_outOfOrderOnesOnlyCounted() {
        rules.replace(new RuleParser(runner, List.of("zscore")).parseDocument("t", "rules: [{id: hot, when: value > 75}]"));
        try (StreamAnalytics a = analytics(StreamAnalyticsConfig.DEFAULT)) {
            send(a, "d", temperature(1, 70), Reading.of("door", "", Value.of(true), T0.plusSeconds(1)));
            send(a, "d", temperature(3, 80));
            send(a, "d", temperature(2, 90)); // older than the stream's latest: windows only
            send(a, "e", temperature(1, 99));
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("analytics_samples_total") == 4);
            assertThat(metrics.get("analytics_out_of_order_total")).isEqualTo(1);
            assertThat(metrics.get("analytics_keys")).isEqualTo(2);
            assertThat(runner.summary()).containsExactly("fired hot d/temperature 80.0", "fired hot e/temperature 99.0");
            assertThat(metrics.get(RuleEngine.EVALUATIONS, "rule", "hot")).isEqualTo(3);
            long count = a.query(v -> v.engine().summary(new dev.fieldline.analytics.StreamKey("d", "temperature"))
                    .orElseThrow().count());
            int streams = a.query(v -> v.streams().size());
            assertThat(count).isEqualTo(2);
            assertThat(streams).isEqualTo(2);
        }
    }

    @Test
    void insightsComeEveryNSamplesOrAfterTheirInterval() {
        try (StreamAnalytics a = analytics(StreamAnalyticsConfig.DEFAULT.withInsights(3, Duration.ofMinutes(10)))) {
            for (int i = 1; i <= 7; i++) {
                send(a, "d", temperature(i, 20 + i));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("analytics_samples_total") == 7);
            assertThat(insights).extracting(Observation::count).containsExactly(3L, 6L);

            clock.advance(Duration.ofMinutes(10));
            send(a, "d", temperature(8, 30));
            await().atMost(Duration.ofSeconds(10)).until(() -> insights.size() == 3);
            assertThat(insights.get(2).count()).isEqualTo(8);
        }
    }

    @Test
    void idleStreamsAreForgotten() {
        try (StreamAnalytics a = analytics(StreamAnalyticsConfig.DEFAULT.withIdleAfter(Duration.ofSeconds(1)))) {
            send(a, "d", temperature(1, 20));
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("analytics_keys") == 1);
            clock.advance(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("analytics_expired_total") == 1);
            assertThat(metrics.get("analytics_keys")).isZero();
            int streams = a.query(v -> v.streams().size());
            assertThat(streams).isZero();
        }
    }
}
