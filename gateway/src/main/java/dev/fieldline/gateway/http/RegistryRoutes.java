package dev.fieldline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.registry.ApiToken;
import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.gateway.registry.DeviceKey;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.EnrollmentToken;
import dev.fieldline.gateway.registry.IssuedApiToken;
import dev.fieldline.gateway.registry.RegistryException;
import dev.fieldline.gateway.registry.Role;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Identity routes of the web API: enrollment tokens, enrollment, disabling/enabling/re-keying
 * devices, API tokens. Token values appear only in the response that creates them.
 */
final class RegistryRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeviceRegistry registry;
    private final ApiAccess access;
    private final Function<Context, byte[]> body;
    private final Optional<EnrollmentTrust> trust;

    RegistryRoutes(DeviceRegistry registry, ApiAccess access, Function<Context, byte[]> body, Optional<EnrollmentTrust> trust) {
        this.registry = registry;
        this.access = access;
        this.body = body;
        this.trust = trust;
    }

    void register(JavalinConfig c) {
        c.routes.post("/api/v1/enroll", access.limited("enroll", this::enroll));
        c.routes.post("/api/v1/enrollment-tokens", access.guard(Role.ADMIN, this::issueEnrollmentToken));
        c.routes.post("/api/v1/devices/{id}/disable", access.guard(Role.ADMIN, ctx -> {
            registry.disable(ctx.pathParam("id"));
            HttpApi.json(ctx, 200, key(registry.device(ctx.pathParam("id")).orElseThrow()));
        }));
        c.routes.post("/api/v1/devices/{id}/enable", access.guard(Role.ADMIN, ctx -> {
            registry.enable(ctx.pathParam("id"));
            HttpApi.json(ctx, 200, key(registry.device(ctx.pathParam("id")).orElseThrow()));
        }));
        c.routes.post("/api/v1/devices/{id}/rekey", access.guard(Role.ADMIN, ctx -> {
            JsonNode req = object(ctx, true);
            EnrollmentToken t = registry.rekey(ctx.pathParam("id"), ttl(req), ApiAccess.caller(ctx));
            HttpApi.json(ctx, 201, enrollmentToken(t));
        }));
        c.routes.post("/api/v1/tokens", access.guard(Role.ADMIN, this::createToken));
        c.routes.get("/api/v1/tokens", access.guard(Role.ADMIN, ctx ->
                HttpApi.json(ctx, 200, registry.apiTokens().stream().map(RegistryRoutes::apiToken).toList())));
        c.routes.delete("/api/v1/tokens/{id}", access.guard(Role.ADMIN, ctx -> {
            long id;
            try {
                id = Long.parseLong(ctx.pathParam("id"));
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("bad_parameter", "the token id must be a number");
            }
            if (!registry.revokeApiToken(id)) {
                throw ApiError.notFound("no active token " + id);
            }
            ctx.status(204);
        }));
    }

    /** The HTTP status for a registry refusal. */
    static int status(RegistryException e) {
        return switch (e.reason()) {
            case INVALID_TOKEN, TOKEN_USED, TOKEN_EXPIRED, TOKEN_DEVICE_MISMATCH -> 401;
            case ALREADY_ENROLLED, KEY_IN_USE -> 409;
            case BAD_KEY, BAD_REQUEST -> 400;
            case NOT_FOUND -> 404;
            case FAILED -> 500;
        };
    }

    private void enroll(Context ctx) {
        JsonNode req = object(ctx, false);
        String device = text(req, "device", true).orElseThrow();
        String token = text(req, "token", true).orElseThrow();
        byte[] key;
        try {
            String k = text(req, "publicKey", true).orElseThrow();
            key = k.indexOf('-') >= 0 || k.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(k) : Base64.getDecoder().decode(k);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad_key", "publicKey must be base64 of the SubjectPublicKeyInfo DER");
        }
        DeviceCredentials c = registry.enroll(device, token, key);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", c.deviceId());
        m.put("kid", c.kid());
        m.put("token", c.token());
        trust.ifPresent(t -> {
            m.put("certificate", t.deviceCertificatePem(c.deviceId()));
            m.put("caCertificate", t.caCertificatePem());
            m.put("gatewayPublicKey", Base64.getEncoder().encodeToString(t.dtlsServerPublicKey()));
        });
        HttpApi.json(ctx, 201, m);
    }

    private void issueEnrollmentToken(Context ctx) {
        JsonNode req = object(ctx, true);
        EnrollmentToken t = registry.issueEnrollmentToken(text(req, "device", false), ttl(req), ApiAccess.caller(ctx));
        HttpApi.json(ctx, 201, enrollmentToken(t));
    }

    private void createToken(Context ctx) {
        JsonNode req = object(ctx, false);
        String name = text(req, "name", true).orElseThrow();
        String roleText = text(req, "role", true).orElseThrow();
        Role role = Role.fromCode(roleText).orElseThrow(() -> ApiError.badRequest("bad_parameter",
                "role must be viewer, operator or admin, was '" + ApiParams.printable(roleText) + "'"));
        IssuedApiToken t = registry.createApiToken(name, role);
        Map<String, Object> m = apiToken(t.info());
        m.put("token", t.token());
        HttpApi.json(ctx, 201, m);
    }

    private static Map<String, Object> enrollmentToken(EnrollmentToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("token", t.token());
        m.put("expiresAt", t.expiresAt().toString());
        m.put("device", t.deviceId().orElse(null));
        return m;
    }

    private static Map<String, Object> apiToken(ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("name", t.name());
        m.put("role", t.role().code());
        m.put("createdAt", t.createdAt().toString());
        m.put("lastUsed", t.lastUsed().map(Object::toString).orElse(null));
        m.put("revokedAt", t.revokedAt().map(Object::toString).orElse(null));
        return m;
    }

    /** The key state of a device, as {@code GET /api/v1/devices} shows it. */
    static Map<String, Object> key(DeviceKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", k.deviceId());
        m.put("state", k.state().code());
        m.put("enrolled", k.enrolled());
        m.put("kid", k.kidHex().orElse(null));
        m.put("enrolledAt", k.enrolledAt().map(Object::toString).orElse(null));
        m.put("rekeyedAt", k.rekeyedAt().map(Object::toString).orElse(null));
        return m;
    }

    private JsonNode object(Context ctx, boolean optional) {
        return object(body.apply(ctx), optional);
    }

    /** A request body that must be a JSON object; with {@code optional}, an empty body is an empty object. */
    static JsonNode object(byte[] b, boolean optional) {
        if (b.length == 0 && optional) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(b);
            if (n == null || !n.isObject()) {
                throw ApiError.badRequest("malformed", "the body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw ApiError.badRequest("malformed", "the body is not well-formed JSON");
        }
    }

    /** A text field of a request object, refused with 400 naming it when it is not text (or missing and required). */
    static Optional<String> text(JsonNode req, String field, boolean required) {
        JsonNode n = req.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw ApiError.badRequest("missing_field", "'" + field + "' is required");
            }
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw ApiError.badRequest("bad_parameter", "'" + field + "' must be text");
        }
        return Optional.of(n.asText());
    }

    /** {@code ttl}: ISO-8601 ({@code PT1H}) or whole seconds; default 24 h. */
    private static Duration ttl(JsonNode req) {
        JsonNode n = req.get("ttl");
        if (n == null || n.isNull()) {
            return DeviceRegistry.DEFAULT_ENROLLMENT_TTL;
        }
        if (n.canConvertToLong() && n.isIntegralNumber()) {
            return Duration.ofSeconds(n.asLong());
        }
        try {
            return Duration.parse(n.asText());
        } catch (DateTimeParseException e) {
            throw ApiError.badRequest("bad_parameter", "ttl must be seconds or an ISO-8601 duration such as PT1H");
        }
    }
}
