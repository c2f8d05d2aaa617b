package dev.fieldline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.store.DeviceLabelRules;
import dev.fieldline.gateway.store.TelemetryStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Device labels: {@code GET /api/v1/devices/{id}/labels} and {@code PUT} (a JSON object of text
 * values, replacing every label; {@code {}} removes them), within {@link DeviceLabelRules}. A device
 * may be labelled before it is first heard from.
 */
final class LabelRoutes {
    private final TelemetryStore store;
    private final ApiAccess access;
    private final Function<Context, byte[]> body;
    private final Clock clock;

    LabelRoutes(TelemetryStore store, ApiAccess access, Function<Context, byte[]> body, Clock clock) {
        this.store = store;
        this.access = access;
        this.body = body;
        this.clock = clock;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/devices/{id}/labels", access.guard(Role.VIEWER, ctx ->
                HttpApi.json(ctx, 200, store.labels(ApiParams.requireDevice(ctx.pathParam("id"), "device")))));
        c.routes.put("/api/v1/devices/{id}/labels", access.guard(Role.OPERATOR, this::put));
    }

    private void put(Context ctx) {
        String device = ApiParams.requireDevice(ctx.pathParam("id"), "device");
        JsonNode req = RegistryRoutes.object(body.apply(ctx), false);
        if (req.size() > DeviceLabelRules.MAX_LABELS) {
            throw ApiError.badRequest("bad_labels", "a device has at most " + DeviceLabelRules.MAX_LABELS + " labels, got "
                    + req.size());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        req.fields().forEachRemaining(e -> {
            if (!e.getValue().isTextual()) {
                throw ApiError.badRequest("bad_labels", "label '" + ApiParams.printable(e.getKey()) + "' must be text");
            }
            labels.put(e.getKey(), e.getValue().asText());
        });
        CompletableFuture<Map<String, String>> stored;
        try {
            stored = store.replaceLabels(device, labels, clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad_labels", e.getMessage());
        }
        ctx.future(() -> stored.thenAccept(m -> HttpApi.json(ctx, 200, m)));
    }
}
