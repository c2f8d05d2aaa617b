package dev.fieldline.gateway.analytics;

import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.engine.StreamEngine;
import dev.fieldline.analytics.insight.Insight;
import dev.fieldline.analytics.insight.InsightGenerator;
import dev.fieldline.analytics.trend.Forecast;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.GatewayEvent;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.Severity;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a stream's insight with {@link InsightGenerator} from the engine's history of the stream and
 * keeps it in the store as a gateway event of type {@code insight} (name: the metric; message: the
 * summary; body: suggested actions, confidence and the evidence). Counts
 * {@code insights_total} when stored, {@code insights_dropped_total} when the store refused it.
 */
public final class StoredInsights implements StreamInsights {
    public static final String TYPE = "insight";
    private static final Logger log = LoggerFactory.getLogger(StoredInsights.class);

    private final TelemetryStore store;
    private final Metrics metrics;
    private final Clock clock;

    public StoredInsights(TelemetryStore store, Metrics metrics, Clock clock) {
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The insight on the stream's history now; empty when the engine does not know the stream. */
    public static Optional<Insight> insight(StreamEngine engine, dev.fieldline.analytics.StreamKey key, double anomalyScore) {
        return engine.history(key).filter(h -> h.size() > 0)
                .map(h -> InsightGenerator.generate(key, h.times(), h.values(), h.size(), anomalyScore));
    }

    @Override
    public void insight(StreamEngine engine, Observation latest) {
        insight(engine, latest.key(), latest.anomalyScore()).ifPresent(i -> {
            GatewayEvent e = new GatewayEvent(0, i.key().deviceId(), TYPE, i.key().metric(), severity(i), i.summary(), body(i),
                    Instant.ofEpochMilli(i.timeMillis()), clock.instant());
            store.appendGatewayEvent(e).whenComplete((stored, error) -> {
                if (error != null) {
                    metrics.increment("insights_dropped_total");
                    log.debug("insight on {} not stored: {}", i.key(), error.toString());
                } else {
                    metrics.increment("insights_total");
                }
            });
        });
    }

    private static Severity severity(Insight i) {
        return i.anomalyScore() >= 0.9 ? Severity.WARNING : Severity.INFO;
    }

    /** The insight's fields besides its summary, as the API shows them. */
    public static Map<String, Object> body(Insight i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("actions", i.actions());
        m.put("confidence", i.confidence());
        m.put("samples", i.samples());
        m.put("anomalyScore", i.anomalyScore());
        m.put("trend", i.trend().direction().code());
        m.put("slopePerSecond", finite(i.trend().slopePerSecond()));
        m.put("trendPValue", finite(i.trend().pValue()));
        if (i.seasonality().period() > 0) {
            m.put("season", Map.of("period", i.seasonality().period(), "strength", i.seasonality().strength()));
        }
        i.forecast().ifPresent(f -> m.put("forecast", forecast(f, i.timeMillis(), i.horizonMillis())));
        return m;
    }

    /** A forecast's last step: when, mean and prediction interval. */
    public static Map<String, Object> forecast(Forecast f, long fromMillis, long horizonMillis) {
        Map<String, Object> m = new LinkedHashMap<>();
        int last = f.horizon() - 1;
        m.put("method", f.method());
        m.put("at", Instant.ofEpochMilli(fromMillis + horizonMillis).toString());
        m.put("mean", finite(f.mean(last)));
        m.put("lower", finite(f.lower(last)));
        m.put("upper", finite(f.upper(last)));
        return m;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
