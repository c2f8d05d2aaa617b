package dev.fieldline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.store.AlertQuery;
import dev.fieldline.gateway.store.ReadingQuery;
import dev.fieldline.gateway.store.StoreException;
import dev.fieldline.gateway.store.TelemetryStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Alert routes: list, one alert, and its lifecycle ({@code POST .../acknowledge}, {@code .../resolve}
 * with an optional {@code {"note": ...}}; 409 when the alert's state does not allow it).
 */
final class AlertRoutes {
    static final int MAX_NOTE_LENGTH = 500;

    private final TelemetryStore store;
    private final ApiAccess access;
    private final Function<Context, byte[]> body;
    private final Clock clock;

    AlertRoutes(TelemetryStore store, ApiAccess access, Function<Context, byte[]> body, Clock clock) {
        this.store = store;
        this.access = access;
        this.body = body;
        this.clock = clock;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/alerts", access.guard(Role.VIEWER, this::list));
        c.routes.get("/api/v1/alerts/{id}", access.guard(Role.VIEWER, ctx -> HttpApi.json(ctx, 200,
                ApiViews.alert(store.alert(id(ctx)).orElseThrow(() -> ApiError.notFound("no alert " + ctx.pathParam("id")))))));
        c.routes.post("/api/v1/alerts/{id}/acknowledge", access.guard(Role.OPERATOR, ctx -> change(ctx, AlertState.ACKNOWLEDGED)));
        c.routes.post("/api/v1/alerts/{id}/resolve", access.guard(Role.OPERATOR, ctx -> change(ctx, AlertState.RESOLVED)));
    }

    private void list(Context ctx) {
        Optional<AlertState> state = ApiParams.text(ctx, "state").map(s -> AlertState.fromCode(s).orElseThrow(() ->
                ApiError.badRequest("bad_parameter", "state must be " + Arrays.stream(AlertState.values()).map(AlertState::code)
                        .collect(Collectors.joining(", ")) + ", was '" + ApiParams.printable(s) + "'")));
        AlertQuery q = new AlertQuery(ApiParams.device(ctx, "device"), state,
                ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT));
        HttpApi.json(ctx, 200, store.alerts(q).stream().map(ApiViews::alert).toList());
    }

    private static long id(Context ctx) {
        String v = ctx.pathParam("id");
        try {
            long id = Long.parseLong(v);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw ApiError.badRequest("bad_parameter", "the alert id must be a positive number, was '" + ApiParams.printable(v) + "'");
    }

    private void change(Context ctx, AlertState next) {
        long id = id(ctx);
        JsonNode req = RegistryRoutes.object(body.apply(ctx), true);
        for (Iterator<String> names = req.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!name.equals("note")) {
                throw ApiError.badRequest("bad_parameter", "unknown field '" + ApiParams.printable(name) + "' (known: note)");
            }
        }
        Optional<String> note = RegistryRoutes.text(req, "note", false);
        if (note.isPresent() && note.get().length() > MAX_NOTE_LENGTH) {
            throw ApiError.badRequest("bad_parameter", "note is " + note.get().length() + " characters long; the limit is "
                    + MAX_NOTE_LENGTH);
        }
        String by = ApiAccess.caller(ctx);
        CompletableFuture<AlertRecord> done = next == AlertState.ACKNOWLEDGED
                ? store.acknowledge(id, clock.instant(), by, note)
                : store.resolve(id, clock.instant(), by, note);
        ctx.future(() -> done.handle((r, e) -> {
            if (e == null) {
                HttpApi.json(ctx, 200, ApiViews.alert(r));
                return null;
            }
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (!(cause instanceof StoreException se)) {
                throw new CompletionException(cause);
            }
            int status = switch (se.reason()) {
                case NOT_FOUND -> 404;
                case CONFLICT -> 409;
                case OVERLOADED, CLOSED -> 503;
                default -> 500;
            };
            if (status == 503) {
                ctx.header("Retry-After", "1");
            }
            HttpApi.json(ctx, status, ApiViews.error(se.code(), se.getMessage()));
            return null;
        }));
    }
}
