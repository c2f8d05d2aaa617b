package dev.fieldline.gateway.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.analytics.window.WindowResult;
import dev.fieldline.analytics.window.WindowSpec;
import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CloudSelectionTest {
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

    private static Decoded telemetry(Optional<Sequence> seq, Reading... readings) {
        return new Decoded.TelemetryMessage(new Telemetry("dev-1", seq, List.of(readings)), Transport.COAP, T);
    }

    private static List<String> ids(List<CloudRecord> records) {
        return records.stream().map(CloudRecord::id).toList();
    }

    @Test
    void readingsAboveTheBoundOfTheChosenMetrics() {
        CloudSelection s = CloudSelection.readings(CloudSelection.Readings.above(50, "temperature"));
        Decoded m = telemetry(Optional.of(new Sequence(3, 17)),
                Reading.of("temperature", "Cel", 50, T),
                Reading.of("temperature", "Cel", 50.1, T),
                Reading.of("humidity", "%RH", 90, T));
        List<CloudRecord> out = s.readings(m);
        assertThat(ids(out)).containsExactly("reading/dev-1/3/17/temperature#1");
        assertThat(out.get(0).body()).containsEntry("value", 50.1).containsEntry("boot", 3L).containsEntry("seq", 17L);
        assertThat(s.readings(m)).as("the same message gives the same records").isEqualTo(out);
    }

    @Test
    void aboveOrBelowSelectsTheOutsideOfABand() {
        CloudSelection s = CloudSelection.readings(
                new CloudSelection.Readings(Set.of(), Optional.of(30.0), Optional.of(10.0)));
        List<CloudRecord> out = s.readings(telemetry(Optional.empty(),
                Reading.of("a", "", 5, T), Reading.of("b", "", 20, T), Reading.of("c", "", 31, T.plusMillis(5)),
                Reading.of("d", "", new Value.Text("hot"), T)));
        assertThat(ids(out)).containsExactly("reading/dev-1/t" + T.toEpochMilli() + "/a",
                "reading/dev-1/t" + (T.toEpochMilli() + 5) + "/c");
    }

    @Test
    void withoutBoundsEveryReadingOfTheMetricsIncludingText() {
        CloudSelection s = CloudSelection.readings(new CloudSelection.Readings(Set.of("state"), Optional.empty(),
                Optional.empty()));
        List<CloudRecord> out = s.readings(telemetry(Optional.of(new Sequence(1, 1)),
                Reading.of("state", "", new Value.Text("open"), T), Reading.of("temperature", "Cel", 99, T)));
        assertThat(out).singleElement().satisfies(r -> assertThat(r.body()).containsEntry("value", "open"));
    }

    @Test
    void nothingSelectedByDefault() {
        assertThat(CloudSelection.NONE.readings(telemetry(Optional.empty(), Reading.of("t", "", 99, T)))).isEmpty();
        assertThat(CloudSelection.NONE.anomaly(observation(1.0))).isEmpty();
    }

    private static Observation observation(double score) {
        return new Observation(new StreamKey("dev-1", "temperature"), T.toEpochMilli(), 80, 10, 21, 2, 19, 80, 22, 3,
                score, new double[] {score}, Trend.UNKNOWN);
    }

    @Test
    void anomaliesFromTheMinimumScore() {
        CloudSelection s = CloudSelection.NONE.withAnomalies(0.9);
        assertThat(s.anomaly(observation(0.89))).isEmpty();
        CloudRecord r = s.anomaly(observation(0.9)).orElseThrow();
        assertThat(r.kind()).isEqualTo("anomaly");
        assertThat(r.id()).isEqualTo("anomaly/dev-1/temperature/" + T.toEpochMilli());
        assertThat(r.body()).containsEntry("score", 0.9).containsEntry("value", 80.0).containsEntry("trend", "stable");
    }

    @Test
    void alertsWhenSelected() {
        AlertRecord a = new AlertRecord(42, new Alert("dev-1", "threshold", "temperature", 80, 75, Severity.WARNING,
                "temperature 80 > 75", T, T.plusSeconds(1)), AlertState.values()[0]);
        assertThat(CloudSelection.NONE.alert(a)).isEmpty();
        CloudRecord r = CloudSelection.NONE.withAlerts(true).alert(a).orElseThrow();
        assertThat(r.id()).isEqualTo("alert/42");
        assertThat(r.time()).isEqualTo(T);
        assertThat(r.body()).containsEntry("severity", "WARNING").containsEntry("threshold", 75.0);
    }

    @Test
    void aggregatesOfTheSelectedWindowAndMetrics() {
        CloudSelection s = CloudSelection.NONE.withAggregates(CloudSelection.Aggregates.of("tumbling 1m", "temperature"));
        WindowSpec minute = WindowSpec.parse("tumbling 1m");
        WindowResult w = new WindowResult(new StreamKey("dev-1", "temperature"), minute, T, T.plusSeconds(60), 60, 21.5,
                0.4, 20.9, 22.3, 21, 22, 21.5, 22.1);
        CloudRecord r = s.aggregate(w).orElseThrow();
        assertThat(r.kind()).isEqualTo("aggregate");
        assertThat(r.id()).isEqualTo("aggregate/dev-1/temperature/tumbling_1m/" + T.toEpochMilli());
        assertThat(r.body()).containsEntry("mean", 21.5).containsEntry("count", 60L).containsEntry("window", "tumbling 1m")
                .containsEntry("p95", 22.1);
        assertThat(s.aggregate(new WindowResult(new StreamKey("dev-1", "humidity"), minute, T, T.plusSeconds(60), 1, 1, 0,
                1, 1, 1, 1, 1, 1))).as("other metric").isEmpty();
        assertThat(s.aggregate(new WindowResult(w.key(), WindowSpec.parse("tumbling 5m"), T, T.plusSeconds(300), 1, 1, 0,
                1, 1, 1, 1, 1, 1))).as("other window").isEmpty();
    }
}
