package dev.fieldline.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.models.ModelDeployment;
import dev.fieldline.gateway.models.ModelRegistry;
import dev.fieldline.gateway.models.ModelRegistryException;
import dev.fieldline.gateway.models.ModelVersion;
import dev.fieldline.gateway.registry.DeviceAuth;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Model versions and their delivery ({@code docs/http-api.md#models}):
 * <ul>
 * <li>{@code GET /api/v1/models} (viewer): every model with its versions (size, hash, source
 *     metrics, per-device outcomes), the version rolled out, and which version each device runs;</li>
 * <li>{@code GET /api/v1/models/{name}/{version}} (viewer): the release manifest (JSON);</li>
 * <li>{@code GET /api/v1/models/{name}/{version}/manifest} and {@code .../file}: the signed manifest
 *     (COSE_Sign1) and the {@code .tflite} file, for devices (HTTP Basic with device id and device
 *     token) or viewers;</li>
 * <li>{@code POST /api/v1/models/{name}/{version}/rollout} and {@code POST /api/v1/models/{name}/rollback}
 *     (operator), with an optional body {@code {"devices": [...]}} (default: every known device).</li>
 * </ul>
 */
final class ModelRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ModelRegistry models;
    private final ApiAccess access;
    private final Function<Context, byte[]> body;

    ModelRoutes(ModelRegistry models, ApiAccess access, Function<Context, byte[]> body) {
        this.models = models;
        this.access = access;
        this.body = body;
    }

    void register(JavalinConfig c) {
        c.routes.get("/api/v1/models", access.guard(Role.VIEWER, this::list));
        c.routes.get("/api/v1/models/{name}/{version}", access.guard(Role.VIEWER, this::manifest));
        c.routes.get("/api/v1/models/{name}/{version}/manifest", device(ctx -> download(ctx, true)));
        c.routes.get("/api/v1/models/{name}/{version}/file", device(ctx -> download(ctx, false)));
        c.routes.post("/api/v1/models/{name}/{version}/rollout", access.guard(Role.OPERATOR, this::rollout));
        c.routes.post("/api/v1/models/{name}/rollback", access.guard(Role.OPERATOR, this::rollback));
    }

    /** A device with its own credentials (HTTP Basic: device id and device token), else a viewer. */
    private Handler device(Handler handler) {
        Handler asViewer = access.guard(Role.VIEWER, handler);
        return ctx -> {
            String header = ctx.header("Authorization");
            if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6) && access.registry().isPresent()) {
                String decoded;
                try {
                    decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new ApiError(401, "invalid_token", "the Basic credentials are not base64");
                }
                int colon = decoded.indexOf(':');
                DeviceAuth auth = colon < 0 ? DeviceAuth.BAD_TOKEN : access.registry().get().authenticate(decoded.substring(0, colon),
                        decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
                if (auth != DeviceAuth.OK) {
                    ctx.header("WWW-Authenticate", "Basic realm=\"fieldline\"");
                    throw new ApiError(auth == DeviceAuth.DISABLED ? 403 : 401, auth.code(), "device credentials refused: " + auth.code());
                }
                handler.handle(ctx);
                return;
            }
            asViewer.handle(ctx);
        };
    }

    private void list(Context ctx) {
        List<ModelDeployment> deployments = models.deployments(Optional.empty());
        Map<String, Long> rolledOut = models.rolledOut();
        Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
        for (ModelVersion v : models.versions()) {
            Map<String, Object> m = byName.computeIfAbsent(v.name(), n -> {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("name", n);
                x.put("rolledOut", rolledOut.get(n));
                x.put("versions", new ArrayList<Map<String, Object>>());
                return x;
            });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> versions = (List<Map<String, Object>>) m.get("versions");
            Map<String, Object> vm = version(v);
            vm.put("devices", deployments.stream().filter(d -> d.name().equals(v.name()) && d.version() == v.version())
                    .map(ModelRoutes::deployment).toList());
            versions.add(vm);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("models", new ArrayList<>(byName.values()));
        out.put("devices", models.running());
        HttpApi.json(ctx, 200, out);
    }

    static Map<String, Object> version(ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("variant", v.variant());
        m.put("bytes", v.bytes());
        m.put("sha256", v.sha256());
        m.put("created", v.created().toString());
        Map<String, Object> source = new LinkedHashMap<>();
        v.source().forEach((k, x) -> source.put(k, x instanceof Value.Num n ? (Object) n.value()
                : x instanceof Value.Bool b ? (Object) b.value() : x instanceof Value.Text t ? t.value() : x.toString()));
        m.put("source", source);
        return m;
    }

    private static Map<String, Object> deployment(ModelDeployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", d.deviceId());
        m.put("state", d.state().code());
        d.reason().ifPresent(r -> m.put("reason", r));
        d.message().ifPresent(r -> m.put("message", r));
        if (d.running().isPresent()) {
            m.put("running", d.running().getAsLong());
        }
        d.commandId().ifPresent(r -> m.put("commandId", r));
        m.put("updatedAt", d.updatedAt().toString());
        return m;
    }

    private void manifest(Context ctx) {
        String name = name(ctx);
        long version = version(ctx);
        byte[] payload = call(() -> SignedRelease.payload(models.signedManifest(name, version)));
        ctx.status(200).contentType("application/json").result(payload);
    }

    private void download(Context ctx, boolean manifest) {
        String name = name(ctx);
        long version = version(ctx);
        byte[] bytes = call(() -> manifest ? models.signedManifest(name, version) : models.file(name, version));
        ctx.status(200).contentType(manifest ? "application/cose; cose-type=\"cose-sign1\"" : "application/octet-stream")
                .result(bytes);
    }

    private void rollout(Context ctx) {
        String name = name(ctx);
        long version = version(ctx);
        List<String> devices = devices(ctx);
        var f = call(() -> models.rollout(name, version, devices, ApiAccess.caller(ctx)));
        ctx.future(() -> f.thenAccept(list -> HttpApi.json(ctx, 202, Map.of("name", name, "version", version,
                "offers", list.stream().map(ModelRoutes::deployment).toList()))));
    }

    private void rollback(Context ctx) {
        String name = name(ctx);
        List<String> devices = devices(ctx);
        var f = call(() -> models.rollback(name, devices, ApiAccess.caller(ctx)));
        ctx.future(() -> f.thenAccept(list -> HttpApi.json(ctx, 202, Map.of("name", name,
                "version", list.isEmpty() ? models.rolledOut().get(name) : list.get(0).version(),
                "offers", list.stream().map(ModelRoutes::deployment).toList()))));
    }

    private List<String> devices(Context ctx) {
        byte[] b = body.apply(ctx);
        if (b.length == 0) {
            return List.of();
        }
        JsonNode req;
        try {
            req = JSON.readTree(b);
        } catch (IOException e) {
            throw ApiError.badRequest("bad_request", "the body must be JSON: {\"devices\": [...]}");
        }
        if (req == null || !req.isObject()) {
            throw ApiError.badRequest("bad_request", "the body must be a JSON object: {\"devices\": [...]}");
        }
        JsonNode d = req.get("devices");
        if (d == null) {
            return List.of();
        }
        if (!d.isArray() || d.size() > 10_000) {
            throw ApiError.badRequest("bad_request", "devices must be an array of device ids");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode x : d) {
            if (!x.isTextual() || !DeviceIds.isValid(x.asText())) {
                throw ApiError.badRequest("bad_device", "devices must hold device ids, found " + ApiParams.printable(x.toString()));
            }
            out.add(x.asText());
        }
        return out;
    }

    private static String name(Context ctx) {
        String n = ctx.pathParam("name");
        if (!ModelRelease.NAME.matcher(n).matches()) {
            throw ApiError.notFound("no model " + ApiParams.printable(n));
        }
        return n;
    }

    private static long version(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("version"));
        } catch (NumberFormatException e) {
            throw ApiError.notFound("version must be a number, was " + ApiParams.printable(ctx.pathParam("version")));
        }
    }

    private static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (ModelRegistryException e) {
            throw switch (e.reason()) {
                case NOT_FOUND -> ApiError.notFound(e.getMessage());
                case INVALID_ARGUMENT, INVALID_MODEL -> ApiError.badRequest(e.code(), e.getMessage());
                case STORAGE -> new ApiError(500, e.code(), e.getMessage());
            };
        }
    }
}
