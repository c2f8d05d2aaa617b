package dev.fieldline.gateway.http;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.rules.Rule;
import dev.fieldline.gateway.rules.RuleEngine;
import dev.fieldline.gateway.rules.RuleException;
import dev.fieldline.gateway.rules.RuleFile;
import dev.fieldline.gateway.rules.RuleParser;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The rules API ({@code /api/v1/rules}): list with per-rule counters and state, create, read,
 * replace, delete, enable, disable. Viewers read, operators write. Every write goes through the
 * {@link RuleFile}, so the rules file stays the one source of truth. Bodies are a rule in the
 * rules file's shape, as JSON (or YAML).
 */
final class RuleRoutes {
    /** Streams shown per rule by {@code GET /api/v1/rules/{id}}. */
    static final int MAX_STREAMS = 100;

    private final RuleFile file;
    private final RuleEngine engine;
    private final RuleParser parser;
    private final Metrics metrics;
    private final ApiAccess access;
    private final Function<Context, byte[]> body;

    RuleRoutes(RuleFile file, RuleEngine engine, RuleParser parser, Metrics metrics, ApiAccess access,
            Function<Context, byte[]> body) {
        this.file = file;
        this.engine = engine;
        this.parser = parser;
        this.metrics = metrics;
        this.access = access;
        this.body = body;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/rules", guard(Role.VIEWER, ctx -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", file.path().toString());
            m.put("reloadError", file.lastError().orElse(null));
            m.put("rules", engine.rules().stream().map(r -> view(r, false)).toList());
            HttpApi.json(ctx, 200, m);
        }));
        c.routes.post("/api/v1/rules", guard(Role.OPERATOR, ctx -> HttpApi.json(ctx, 201, view(file.create(rule(ctx)), false))));
        c.routes.get("/api/v1/rules/{id}", guard(Role.VIEWER, ctx -> HttpApi.json(ctx, 200, view(known(ctx), true))));
        c.routes.put("/api/v1/rules/{id}", guard(Role.OPERATOR, ctx -> {
            Rule r = rule(ctx);
            if (!r.id().equals(ctx.pathParam("id"))) {
                throw ApiError.badRequest(RuleException.INVALID, "the body's id '" + r.id() + "' is not the path's '"
                        + ApiParams.printable(ctx.pathParam("id")) + "'");
            }
            HttpApi.json(ctx, 200, view(file.update(r), false));
        }));
        c.routes.delete("/api/v1/rules/{id}", guard(Role.OPERATOR, ctx -> {
            file.delete(ctx.pathParam("id"));
            ctx.status(204);
        }));
        c.routes.post("/api/v1/rules/{id}/enable", guard(Role.OPERATOR, ctx ->
                HttpApi.json(ctx, 200, view(file.setEnabled(ctx.pathParam("id"), true), false))));
        c.routes.post("/api/v1/rules/{id}/disable", guard(Role.OPERATOR, ctx ->
                HttpApi.json(ctx, 200, view(file.setEnabled(ctx.pathParam("id"), false), false))));
    }

    /** The access guard, with rule refusals as 400 (invalid), 404 (unknown), 409 (duplicate id), 500 (file). */
    private Handler guard(Role role, Handler h) {
        return access.guard(role, ctx -> {
            try {
                h.handle(ctx);
            } catch (RuleException e) {
                int status = switch (e.code()) {
                    case RuleException.INVALID -> 400;
                    case RuleException.UNKNOWN -> 404;
                    case RuleException.DUPLICATE -> 409;
                    default -> 500;
                };
                throw new ApiError(status, e.code(), e.getMessage());
            }
        });
    }

    private Rule known(Context ctx) {
        String id = ctx.pathParam("id");
        return file.rule(id).orElseThrow(() -> new ApiError(404, RuleException.UNKNOWN, "no rule with id '"
                + ApiParams.printable(id) + "'"));
    }

    private Rule rule(Context ctx) {
        byte[] b = body.apply(ctx);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("malformed", "the body is not UTF-8");
        }
        if (text.isBlank()) {
            throw ApiError.badRequest(RuleException.INVALID, "the body must be a rule, e.g. {\"id\": \"hot\", \"when\": \"value > 75\"}");
        }
        return parser.parseRule("body", text);
    }

    private Map<String, Object> view(Rule r, boolean withStreams) {
        Map<String, Object> m = RuleParser.describe(r);
        m.put("condition", r.conditionText());
        RuleEngine.Counts counts = engine.counts(r.id());
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("streams", counts.streams());
        state.put("firing", counts.fired());
        state.put("evaluations", metrics.get(RuleEngine.EVALUATIONS, "rule", r.id()));
        state.put("fired", metrics.get(RuleEngine.FIRED, "rule", r.id()));
        state.put("failed", metrics.get(RuleEngine.FAILED, "rule", r.id()));
        m.put("state", state);
        if (withStreams) {
            m.put("streams", engine.streams(r.id(), MAX_STREAMS).stream().map(s -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("device", s.key().deviceId());
                v.put("metric", s.key().metric());
                v.put("holding", s.holdingSince().isPresent());
                v.put("holdingSince", s.holdingSince().map(Object::toString).orElse(null));
                v.put("fired", s.fired());
                v.put("firedAt", s.firedAt().map(Object::toString).orElse(null));
                v.put("lastValue", Double.isFinite(s.lastValue()) ? s.lastValue() : null);
                v.put("lastEventTime", s.lastEventTime().toString());
                return v;
            }).toList());
        }
        return m;
    }
}
