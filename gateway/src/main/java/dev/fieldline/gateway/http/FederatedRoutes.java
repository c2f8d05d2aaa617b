package dev.fieldline.gateway.http;

import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.gateway.federated.RoundRecord;
import dev.fieldline.gateway.registry.Role;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Federated learning (docs/http-api.md): {@code GET /api/v1/fl/status} (model, global version, open
 * round), {@code GET /api/v1/fl/rounds} (newest first, {@code limit}) and {@code GET /api/v1/fl/rounds/{n}}
 * (participants, rejections, metrics, outcome, times). Viewer role.
 */
final class FederatedRoutes {
    private final FederatedService service;
    private final ApiAccess access;

    FederatedRoutes(FederatedService service, ApiAccess access) {
        this.service = service;
        this.access = access;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/fl/status", access.guard(Role.VIEWER, this::status));
        c.routes.get("/api/v1/fl/rounds", access.guard(Role.VIEWER, ctx ->
                HttpApi.json(ctx, 200, service.rounds().rounds(ApiParams.limit(ctx, 100, 1000)).stream()
                        .map(FederatedRoutes::view).toList())));
        c.routes.get("/api/v1/fl/rounds/{n}", access.guard(Role.VIEWER, ctx -> {
            int n;
            try {
                n = Integer.parseInt(ctx.pathParam("n"));
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("bad_round", "round must be a number");
            }
            RoundRecord r = service.rounds().round(n).orElseThrow(() -> ApiError.notFound("no round " + n));
            HttpApi.json(ctx, 200, view(r));
        }));
    }

    private void status(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", service.config().model());
        m.put("strategy", service.config().strategy());
        m.put("values", service.layout().size());
        m.put("version", service.version());
        Optional<RoundCoordinator.RoundPlan> open = service.openRound();
        m.put("open_round", open.map(p -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("round", p.round());
            o.put("version", p.version());
            o.put("selected", p.selected());
            o.put("started", p.started().toString());
            o.put("deadline", p.deadline().toString());
            return o;
        }).orElse(null));
        m.put("available_devices", service.availableDevices());
        HttpApi.json(ctx, 200, m);
    }

    static Map<String, Object> view(RoundRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("round", r.round());
        m.put("outcome", r.outcome());
        m.put("version_from", r.versionFrom());
        m.put("version", r.version().orElse(null));
        m.put("selected", r.selected());
        m.put("contributors", r.contributors());
        m.put("rejected", r.rejected());
        m.put("examples", r.examples());
        m.put("metrics", r.metrics());
        m.put("plan", r.plan());
        m.put("reason", r.reason());
        m.put("started", r.startedAt().toString());
        m.put("deadline", r.deadline().toString());
        m.put("closed", r.closedAt().map(Object::toString).orElse(null));
        return m;
    }
}
