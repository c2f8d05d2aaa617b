package dev.fieldline.gateway.http;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.engine.StreamSummary;
import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.gateway.analytics.StoredInsights;
import dev.fieldline.gateway.analytics.StreamAnalytics;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.store.GatewayEvent;
import dev.fieldline.gateway.store.ReadingQuery;
import dev.fieldline.gateway.store.TelemetryStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stream analytics on the web API: the active streams with their statistics
 * ({@code GET /api/v1/streams}), one stream in detail ({@code GET /api/v1/streams/{device}/{metric}})
 * and the insights kept ({@code GET /api/v1/insights}). Viewers read.
 */
final class StreamRoutes {
    private static final String INSIGHT = StoredInsights.TYPE;

    private final StreamAnalytics analytics;
    private final TelemetryStore store;
    private final ApiAccess access;

    StreamRoutes(StreamAnalytics analytics, TelemetryStore store, ApiAccess access) {
        this.analytics = analytics;
        this.store = store;
        this.access = access;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/streams", access.guard(Role.VIEWER, this::list));
        c.routes.get("/api/v1/streams/{device}/{metric}", access.guard(Role.VIEWER, this::one));
        c.routes.get("/api/v1/insights", access.guard(Role.VIEWER, ctx -> HttpApi.json(ctx, 200, store.gatewayEvents(INSIGHT,
                ApiParams.device(ctx, "device"), ApiParams.text(ctx, "metric"),
                ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT)).stream().map(StreamRoutes::insight).toList())));
    }

    private void list(Context ctx) {
        Optional<String> device = ApiParams.device(ctx, "device");
        Optional<String> metric = ApiParams.text(ctx, "metric");
        int limit = ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT);
        List<Map<String, Object>> out = analytics.query(v -> {
            List<StreamKey> keys = new ArrayList<>();
            for (StreamKey k : v.streams()) {
                if (device.map(k.deviceId()::equals).orElse(true) && metric.map(k.metric()::equals).orElse(true)) {
                    keys.add(k);
                }
            }
            keys.sort(Comparator.comparing(StreamKey::deviceId).thenComparing(StreamKey::metric));
            List<Map<String, Object>> views = new ArrayList<>();
            for (StreamKey k : keys.subList(0, Math.min(limit, keys.size()))) {
                v.engine().summary(k).ifPresent(s -> views.add(view(s, v.lastScore(k))));
            }
            return views;
        });
        HttpApi.json(ctx, 200, out);
    }

    private void one(Context ctx) {
        String device = ApiParams.requireDevice(ctx.pathParam("device"), "device");
        StreamKey key = new StreamKey(device, ctx.pathParam("metric"));
        Map<String, Object> out = analytics.query(v -> v.engine().summary(key).map(s -> {
            Map<String, Object> m = view(s, v.lastScore(key));
            m.put("quantiles", quantiles(s));
            m.put("detectors", v.engine().detectorNames());
            StoredInsights.insight(v.engine(), key, v.lastScore(key)).ifPresent(i -> {
                Map<String, Object> now = new LinkedHashMap<>();
                now.put("summary", i.summary());
                now.putAll(StoredInsights.body(i));
                m.put("insight", now);
                m.put("forecast", now.get("forecast"));
            });
            return m;
        }).orElse(null));
        if (out == null) {
            throw ApiError.notFound("no active stream " + ApiParams.printable(key.toString()));
        }
        HttpApi.json(ctx, 200, out);
    }

    private static Map<String, Object> view(StreamSummary s, double lastScore) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", s.key().deviceId());
        m.put("metric", s.key().metric());
        m.put("count", s.count());
        m.put("last", number(s.lastValue()));
        m.put("lastTime", Instant.ofEpochMilli(s.lastTimeMillis()).toString());
        m.put("mean", number(s.mean()));
        m.put("stddev", number(s.stddev()));
        m.put("min", number(s.min()));
        m.put("max", number(s.max()));
        m.put("ewma", number(s.ewma()));
        m.put("ratePerSecond", number(s.ratePerSecond()));
        m.put("anomalyScore", number(lastScore));
        m.put("trend", trend(s.trend()));
        return m;
    }

    private static Map<String, Object> trend(Trend t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("direction", t.direction().code());
        m.put("halves", t.halves().code());
        m.put("slopePerSecond", number(t.slopePerSecond()));
        m.put("pValue", number(t.pValue()));
        m.put("n", t.n());
        return m;
    }

    private static Map<String, Object> quantiles(StreamSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("p50", number(s.p50()));
        m.put("p95", number(s.p95()));
        m.put("p99", number(s.p99()));
        return m;
    }

    private static Map<String, Object> insight(GatewayEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("device", e.deviceId());
        m.put("metric", e.name());
        m.put("time", e.time().toString());
        m.put("severity", e.severity().code());
        m.put("summary", e.message());
        m.putAll(e.body());
        m.put("createdAt", e.createdAt().toString());
        return m;
    }

    /** JSON has no NaN or infinities: those become null. */
    private static Double number(double d) {
        return Double.isFinite(d) ? d : null;
    }
}
