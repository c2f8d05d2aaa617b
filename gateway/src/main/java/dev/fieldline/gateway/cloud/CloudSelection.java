package dev.fieldline.gateway.cloud;

import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.window.WindowResult;
import dev.fieldline.analytics.window.WindowSpec;
import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * What goes upstream — the seed's "only important data": readings of some metrics beyond a bound,
 * anomalies above a score, window aggregates instead of raw points, alerts. Each method turns one
 * gateway item into the {@link CloudRecord}s it selects, with an id that is the same every time the
 * same item is offered (so a receiver can drop a copy). Pure: no I/O, thread-safe.
 *
 * @param readings which readings are forwarded; empty: none
 * @param anomalyMinScore engine observations with at least this anomaly score are forwarded; empty: none
 * @param aggregates which window results are forwarded; empty: none
 * @param alerts whether raised alerts are forwarded
 */
public record CloudSelection(Optional<Readings> readings, Optional<Double> anomalyMinScore,
                             Optional<Aggregates> aggregates, boolean alerts) {
    /** Selects nothing (records still go through {@link CloudForward} from rule actions). */
    public static final CloudSelection NONE = new CloudSelection(Optional.empty(), Optional.empty(), Optional.empty(), false);

    /**
     * Readings to forward: those of {@code metrics} (empty: every metric) that are numeric and
     * strictly above {@code above} or strictly below {@code below}; with neither bound, every reading
     * of those metrics (text and boolean ones too).
     */
    public record Readings(Set<String> metrics, Optional<Double> above, Optional<Double> below) {
        public Readings {
            metrics = Set.copyOf(metrics);
            Objects.requireNonNull(above, "above");
            Objects.requireNonNull(below, "below");
            above.ifPresent(a -> requireFinite(a, "above"));
            below.ifPresent(b -> requireFinite(b, "below"));
        }

        public static Readings above(double limit, String... metrics) {
            return new Readings(Set.of(metrics), Optional.of(limit), Optional.empty());
        }

        boolean selects(Reading r) {
            if (!metrics.isEmpty() && !metrics.contains(r.name())) {
                return false;
            }
            if (above.isEmpty() && below.isEmpty()) {
                return r.value().isPresent() || r.sum().isPresent();
            }
            OptionalDouble v = r.number();
            if (v.isEmpty()) {
                return false;
            }
            double x = v.getAsDouble();
            return above.map(a -> x > a).orElse(false) || below.map(b -> x < b).orElse(false);
        }
    }

    /**
     * Window results to forward.
     *
     * @param window the window whose results are forwarded (written as {@link WindowSpec#parse} reads it,
     *     e.g. {@code tumbling 1m}); the stream glue runs it on the engine
     * @param metrics metrics whose results are forwarded; empty: every metric
     */
    public record Aggregates(WindowSpec window, Set<String> metrics) {
        public Aggregates {
            Objects.requireNonNull(window, "window");
            metrics = Set.copyOf(metrics);
        }

        public static Aggregates of(String window, String... metrics) {
            return new Aggregates(WindowSpec.parse(window), Set.of(metrics));
        }

        public boolean watches(String metric) {
            return metrics.isEmpty() || metrics.contains(metric);
        }
    }

    public CloudSelection {
        Objects.requireNonNull(readings, "readings");
        Objects.requireNonNull(anomalyMinScore, "anomalyMinScore");
        Objects.requireNonNull(aggregates, "aggregates");
        anomalyMinScore.ifPresent(s -> {
            if (!(s >= 0 && s <= 1)) {
                throw new IllegalArgumentException("anomalyMinScore must be in 0..1, was " + s);
            }
        });
    }

    public static CloudSelection readings(Readings r) {
        return new CloudSelection(Optional.of(r), Optional.empty(), Optional.empty(), false);
    }

    public CloudSelection withAnomalies(double minScore) {
        return new CloudSelection(readings, Optional.of(minScore), aggregates, alerts);
    }

    public CloudSelection withAggregates(Aggregates a) {
        return new CloudSelection(readings, anomalyMinScore, Optional.of(a), alerts);
    }

    public CloudSelection withAlerts(boolean on) {
        return new CloudSelection(readings, anomalyMinScore, aggregates, on);
    }

    /**
     * The selected readings of a committed message (only telemetry has readings). Ids are
     * {@code reading/{device}/{boot}/{seq}/{name}} (unsequenced packs: {@code reading/{device}/t{epoch ms}/{name}}),
     * with {@code #n} appended for the n-th repeat of a name within one pack.
     */
    public List<CloudRecord> readings(Decoded message) {
        if (readings.isEmpty() || !(message instanceof Decoded.TelemetryMessage t)) {
            return List.of();
        }
        Readings sel = readings.get();
        List<CloudRecord> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        Optional<Sequence> seq = t.telemetry().sequence();
        String device = t.deviceId();
        for (Reading r : t.telemetry().readings()) {
            int repeat = seen.merge(r.name(), 1, Integer::sum) - 1;
            if (!sel.selects(r)) {
                continue;
            }
            String position = seq.map(s -> s.bootId() + "/" + s.seq()).orElse("t" + r.time().toEpochMilli());
            String id = "reading/" + device + "/" + position + "/" + r.name() + (repeat > 0 ? "#" + repeat : "");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("metric", r.name());
            r.value().ifPresent(v -> body.put("value", json(v)));
            r.sum().ifPresent(s -> body.put("sum", s));
            if (!r.unit().isEmpty()) {
                body.put("unit", r.unit());
            }
            seq.ifPresent(s -> {
                body.put("boot", s.bootId());
                body.put("seq", s.seq());
            });
            out.add(new CloudRecord("reading", id, device, r.time(), body));
        }
        return out;
    }

    /** The observation as an {@code anomaly} record when its score reaches the minimum. */
    public Optional<CloudRecord> anomaly(Observation o) {
        if (anomalyMinScore.isEmpty() || !(o.anomalyScore() >= anomalyMinScore.get())) {
            return Optional.empty();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric", o.key().metric());
        body.put("value", o.value());
        body.put("score", o.anomalyScore());
        body.put("mean", o.mean());
        body.put("stddev", o.stddev());
        body.put("ewma", o.ewma());
        body.put("count", o.count());
        if (o.trend() != null) {
            body.put("trend", o.trend().direction().code());
        }
        String id = "anomaly/" + o.key().deviceId() + "/" + o.key().metric() + "/" + o.timeMillis();
        return Optional.of(new CloudRecord("anomaly", id, o.key().deviceId(), Instant.ofEpochMilli(o.timeMillis()), body));
    }

    /**
     * A closed window of the selected spec and metrics as an {@code aggregate} record (the seed's
     * "aggregates instead of raw points"). Id: {@code aggregate/{device}/{metric}/{spec}/{start epoch ms}},
     * the spec's canonical text with {@code _} for spaces.
     */
    public Optional<CloudRecord> aggregate(WindowResult w) {
        if (aggregates.isEmpty() || !aggregates.get().window().equals(w.spec()) || !aggregates.get().watches(w.key().metric())) {
            return Optional.empty();
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("metric", w.key().metric());
        body.put("window", w.spec().text());
        body.put("start", w.start().toString());
        body.put("end", w.end().toString());
        body.put("count", w.count());
        body.put("mean", w.mean());
        body.put("stddev", w.stddev());
        body.put("min", w.min());
        body.put("max", w.max());
        body.put("first", w.first());
        body.put("last", w.last());
        body.put("p50", w.p50());
        body.put("p95", w.p95());
        String id = "aggregate/" + w.key().deviceId() + "/" + w.key().metric() + "/" + w.spec().text().replace(' ', '_')
                + "/" + w.start().toEpochMilli();
        return Optional.of(new CloudRecord("aggregate", id, w.key().deviceId(), w.start(), body));
    }

    /** A raised alert as an {@code alert} record, when alerts are selected. Id: {@code alert/{stored id}}. */
    public Optional<CloudRecord> alert(AlertRecord stored) {
        if (!alerts) {
            return Optional.empty();
        }
        Alert a = stored.alert();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("alertId", stored.id());
        body.put("rule", a.rule());
        body.put("metric", a.metric());
        body.put("value", a.value());
        body.put("threshold", a.threshold());
        body.put("severity", a.severity().name());
        body.put("message", a.message());
        body.put("createdAt", a.createdAt().toString());
        return Optional.of(new CloudRecord("alert", "alert/" + stored.id(), a.deviceId(), a.readingTime(), body));
    }

    private static Object json(Value v) {
        if (v instanceof Value.Num n) {
            return n.value();
        }
        if (v instanceof Value.Bool b) {
            return b.value();
        }
        if (v instanceof Value.Text t) {
            return t.value();
        }
        return java.util.Base64.getEncoder().encodeToString(((Value.Data) v).value());
    }

    private static void requireFinite(double d, String name) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException(name + " must be finite, was " + d);
        }
    }
}
