package dev.fieldline.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.fieldline.gateway.PortInUseException;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.RegistryException;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.store.DeviceRecord;
import dev.fieldline.gateway.store.EventQuery;
import dev.fieldline.gateway.store.ReadingQuery;
import dev.fieldline.gateway.store.StoreException;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web API (Javalin on Jetty): data in and out, device status, devices, commands, alerts, health
 * and metrics. Uplinks go through the same {@link Ingest} as the device transports (transport
 * {@code http}); responses to them are sent after the commit, asynchronously, so no request thread
 * waits on the store. Every error is JSON {@code {"error": code, "message": ...}}; {@code code} is a
 * {@link DecodeError} code where the payload was refused.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory());
    private static final String URN_PREFIX = "urn:dev:fl:";

    private final HttpApiConfig config;
    private final Ingest ingest;
    private final DefaultDownlink downlink;
    private final TelemetryStore store;
    private final Metrics metrics;
    private final Supplier<Map<String, String>> listeners;
    private final Clock clock;
    private final SenmlCodec senml;
    private final StatusRequests statusRequests;
    private final Instant started;
    private final ApiAccess access;
    private final Optional<EnrollmentTrust> trust;
    /** Route groups added before {@link #start} ({@link #withRules}, {@link #withStreams}). */
    private final List<java.util.function.Consumer<JavalinConfig>> moreRoutes = new ArrayList<>();
    private Javalin app;
    private InetSocketAddress address;

    /**
     * @param listeners what the gateway listens on, by name ({@code http}, {@code mqtt}, ...), for {@code /health}
     */
    public HttpApi(HttpApiConfig config, Ingest ingest, DefaultDownlink downlink, TelemetryStore store, Metrics metrics,
            Supplier<Map<String, String>> listeners, Clock clock) {
        this(config, ingest, downlink, store, metrics, listeners, clock, ApiAccess.open(metrics, clock), Optional.empty());
    }

    /**
     * With bearer tokens and the identity routes (enrollment, device disable/enable/re-key, API
     * tokens) backed by the registry; see {@link ApiAccess} for who may call what.
     *
     * @param secure secure mode: no anonymous access except {@code GET /health} and {@code POST /api/v1/enroll}
     */
    public HttpApi(HttpApiConfig config, Ingest ingest, DefaultDownlink downlink, TelemetryStore store, Metrics metrics,
            Supplier<Map<String, String>> listeners, Clock clock, DeviceRegistry registry, boolean secure) {
        this(config, ingest, downlink, store, metrics, listeners, clock, registry, secure, Optional.empty());
    }

    /**
     * As above; the enrollment answer also carries {@code trust}'s certificates and DTLS key
     * ({@code certificate}, {@code caCertificate}, {@code gatewayPublicKey}).
     */
    public HttpApi(HttpApiConfig config, Ingest ingest, DefaultDownlink downlink, TelemetryStore store, Metrics metrics,
            Supplier<Map<String, String>> listeners, Clock clock, DeviceRegistry registry, boolean secure,
            Optional<EnrollmentTrust> trust) {
        this(config, ingest, downlink, store, metrics, listeners, clock, new ApiAccess(Optional.of(registry), secure, metrics,
                RateLimiter.DEFAULT, RateLimiter.DEFAULT, clock), trust);
    }

    private HttpApi(HttpApiConfig config, Ingest ingest, DefaultDownlink downlink, TelemetryStore store, Metrics metrics,
            Supplier<Map<String, String>> listeners, Clock clock, ApiAccess access, Optional<EnrollmentTrust> trust) {
        if (trust == null) {
            throw new IllegalArgumentException("trust must not be null (use Optional.empty())");
        }
        this.access = access;
        this.trust = trust;
        this.config = config;
        this.ingest = ingest;
        this.downlink = downlink;
        this.store = store;
        this.metrics = metrics;
        this.listeners = listeners;
        this.clock = clock;
        this.senml = new SenmlCodec(config.limits(), clock);
        this.statusRequests = new StatusRequests(config.limits(), clock);
        this.started = clock.instant();
    }

    /** Also serves the rules API ({@code /api/v1/rules}, see {@link RuleRoutes}); call before {@link #start}. */
    public synchronized HttpApi withRules(dev.fieldline.gateway.rules.RuleFile file, dev.fieldline.gateway.rules.RuleEngine engine,
            dev.fieldline.gateway.rules.RuleParser parser) {
        moreRoutes.add(c -> new RuleRoutes(file, engine, parser, metrics, access, this::body).register(c));
        return this;
    }

    /** Also serves the stream analytics API ({@code /api/v1/streams}, {@code /api/v1/insights}); call before {@link #start}. */
    public synchronized HttpApi withStreams(dev.fieldline.gateway.analytics.StreamAnalytics analytics) {
        moreRoutes.add(c -> new StreamRoutes(analytics, store, access).register(c));
        return this;
    }

    /** Also serves the federated-learning API ({@code /api/v1/fl/...}, see {@link FederatedRoutes}); call before {@link #start}. */
    public synchronized HttpApi withFederated(dev.fieldline.gateway.federated.FederatedService service) {
        moreRoutes.add(c -> new FederatedRoutes(service, access).register(c));
        return this;
    }

    /** Also serves the model API ({@code /api/v1/models}, see {@link ModelRoutes}); call before {@link #start}. */
    public synchronized HttpApi withModels(dev.fieldline.gateway.models.ModelRegistry models) {
        moreRoutes.add(c -> new ModelRoutes(models, access, this::body).register(c));
        return this;
    }

    /** Binds and starts serving; returns the bound address. */
    public synchronized InetSocketAddress start() {
        if (app != null) {
            return address;
        }
        Javalin javalin = Javalin.create(this::configure);
        try {
            javalin.start(config.bindHost(), config.port());
        } catch (JavalinBindException e) {
            javalin.stop();
            throw new PortInUseException("HTTP", config.bindHost(), config.port(), "--http-port", e);
        }
        app = javalin;
        address = new InetSocketAddress(config.bindHost(), javalin.port());
        log.debug("web API on http://{}:{}", config.bindHost(), javalin.port());
        return address;
    }

    public synchronized Optional<InetSocketAddress> address() {
        return Optional.ofNullable(address);
    }

    @Override
    public synchronized void close() {
        if (app != null) {
            app.stop();
            app = null;
        }
    }

    private void configure(JavalinConfig c) {
        c.startup.showJavalinBanner = false;
        c.startup.showOldJavalinVersionWarning = false;
        c.http.prefer405over404 = true;
        c.http.maxRequestSize = config.limits().maxPayloadBytes();
        QueuedThreadPool threads = new QueuedThreadPool(32, 2);
        threads.setName("fieldline-http");
        c.jetty.threadPool = threads;

        c.routes.post("/api/v1/data", access.guard(Role.OPERATOR, this::postData));
        c.routes.get("/api/v1/data", access.guard(Role.VIEWER, this::getData));
        c.routes.post("/api/v1/status", access.guard(Role.OPERATOR, this::postStatus));
        c.routes.get("/api/v1/status", access.guard(Role.VIEWER, this::getStatus));
        c.routes.get("/api/v1/devices", access.guard(Role.VIEWER, this::getDevices));
        c.routes.get("/api/v1/devices/{id}", access.guard(Role.VIEWER, this::getDevice));
        c.routes.post("/api/v1/devices/{id}/commands", access.guard(Role.OPERATOR, this::postCommand));
        c.routes.get("/api/v1/devices/{id}/commands", access.guard(Role.VIEWER, this::getCommands));
        c.routes.get("/api/v1/events", access.guard(Role.VIEWER, this::getEvents));
        c.routes.get("/health", this::getHealth);
        c.routes.get("/metrics", access.guard(Role.VIEWER, ctx -> ctx.status(200)
                .contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.prometheus())));
        access.registry().ifPresent(r -> new RegistryRoutes(r, access, this::body, trust).register(c));
        new AlertRoutes(store, access, this::body, clock).register(c);
        new LabelRoutes(store, access, this::body, clock).register(c);
        moreRoutes.forEach(r -> r.accept(c));

        c.routes.exception(RegistryException.class, (e, ctx) -> error(ctx, RegistryRoutes.status(e), e.code(), e.getMessage()));
        c.routes.exception(ApiError.class, (e, ctx) -> {
            if (e instanceof ApiAccess.RateLimited r) {
                ctx.header("Retry-After", Long.toString(r.retryAfterSeconds()));
            }
            if (isUplink(ctx) && e.status() != 401 && e.status() != 429) {
                // refused before reaching the pipeline: counted as the pipeline and the transports count refusals
                metrics.increment("ingest_received_total", "transport", Transport.HTTP.code());
                metrics.increment("ingest_rejected_total", "transport", Transport.HTTP.code(), "reason", e.code());
            }
            error(ctx, e.status(), e.code(), e.getMessage());
        });
        c.routes.exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(), javalinCode(e.getStatus()),
                e.getStatus() == 404 ? "no such resource: " + ctx.method() + " " + ctx.path()
                        : e.getStatus() == 405 ? ctx.method() + " is not allowed on " + ctx.path() : e.getMessage()));
        c.routes.exception(DecodeException.class, (e, ctx) -> {
            ApiError refused = refused(e.reason(), e.detail());
            error(ctx, refused.status(), refused.code(), refused.getMessage());
        });
        c.routes.exception(dev.fieldline.gateway.analytics.StreamAnalytics.AnalyticsBusyException.class, (e, ctx) -> {
            ctx.header("Retry-After", "1");
            error(ctx, 503, e.code(), e.getMessage());
        });
        c.routes.exception(StoreException.class, (e, ctx) -> {
            boolean retry = e.reason() == StoreException.Reason.OVERLOADED || e.reason() == StoreException.Reason.CLOSED;
            if (retry) {
                ctx.header("Retry-After", "1");
            } else {
                log.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            }
            error(ctx, retry ? 503 : 500, e.code(), e.getMessage());
        });
        c.routes.exception(Exception.class, (e, ctx) -> {
            log.warn("{} {} failed", ctx.method(), ctx.path(), e);
            error(ctx, 500, "internal", "internal error: " + e.getClass().getSimpleName());
        });
    }

    private static boolean isUplink(Context ctx) {
        return HandlerType.POST.equals(ctx.method()) && (ctx.path().equals("/api/v1/data") || ctx.path().equals("/api/v1/status"));
    }

    private static String javalinCode(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> DecodeError.TOO_LARGE.code();
            default -> "http_" + status;
        };
    }

    // ------------------------------------------------------------------ data

    private void postData(Context ctx) {
        PayloadFormat format = PayloadFormat.fromMediaType(MessageKind.TELEMETRY, ctx.contentType())
                .orElseThrow(() -> new ApiError(415, DecodeError.UNSUPPORTED_FORMAT.code(), "Content-Type must be "
                        + "application/senml+json, application/json, application/senml+cbor or application/cbor"));
        byte[] body = body(ctx);
        Optional<String> query = ApiParams.device(ctx, "device");
        String device = query.isPresent() ? query.get() : deviceFromPack(body, format);
        refuseDisabled(device);
        Uplink uplink = new Uplink(Transport.HTTP, device, MessageKind.TELEMETRY, format, body, clock.instant());
        ctx.future(() -> ingest.submit(uplink).thenAccept(r -> respond(ctx, device, r)));
    }

    /** 403 for an uplink on behalf of a disabled device. */
    private void refuseDisabled(String device) {
        if (access.registry().map(r -> r.isDisabled(device)).orElse(false)) {
            metrics.increment("http_uplink_refused_total", "reason", "disabled");
            throw new ApiError(403, "disabled", "device '" + device + "' is disabled");
        }
    }

    /** The device a pack names in its base name {@code urn:dev:fl:ID:}. */
    private String deviceFromPack(byte[] body, PayloadFormat format) {
        for (Reading r : decode(body, format).readings()) {
            String name = r.name();
            int end = name.indexOf(':', URN_PREFIX.length());
            if (name.startsWith(URN_PREFIX) && end > URN_PREFIX.length()) {
                return ApiParams.requireDevice(name.substring(URN_PREFIX.length(), end), "the pack's base name device");
            }
        }
        throw ApiError.badRequest(DecodeError.MISSING_FIELD.code(),
                "name the device with ?device=ID or a SenML base name urn:dev:fl:ID:");
    }

    private SenmlCodec.Pack decode(byte[] body, PayloadFormat format) {
        try {
            return senml.decode(body, format);
        } catch (DecodeException e) {
            throw refused(e.reason(), e.detail());
        }
    }

    private static ApiError refused(DecodeError reason, String message) {
        return new ApiError(reason == DecodeError.TOO_LARGE ? 413 : 400, reason.code(), message);
    }

    private void respond(Context ctx, String device, IngestResult result) {
        if (result instanceof IngestResult.Stored s) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", "stored");
            m.put("device", device);
            m.put("readings", s.readings());
            s.sequence().ifPresent(q -> {
                m.put("bootId", q.bootId());
                m.put("seq", q.seq());
            });
            json(ctx, 201, m);
        } else if (result instanceof IngestResult.Duplicate d) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", "duplicate");
            m.put("device", device);
            m.put("bootId", d.sequence().bootId());
            m.put("seq", d.sequence().seq());
            json(ctx, 200, m);
        } else if (result instanceof IngestResult.Rejected r) {
            ApiError e = refused(r.reason(), r.message());
            error(ctx, e.status(), e.code(), e.getMessage());
        } else if (result instanceof IngestResult.Unavailable u) {
            ctx.header("Retry-After", "1");
            error(ctx, 503, "unavailable", u.message());
        }
    }

    private void getData(Context ctx) {
        ReadingQuery q;
        try {
            q = new ReadingQuery(ApiParams.device(ctx, "device"), ApiParams.text(ctx, "metric"), ApiParams.time(ctx, "from"),
                    ApiParams.time(ctx, "to"), ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad_parameter", e.getMessage());
        }
        json(ctx, 200, store.readings(q).stream().map(ApiViews::reading).toList());
    }

    // ------------------------------------------------------------------ status

    private void postStatus(Context ctx) {
        PayloadFormat format = PayloadFormat.fromMediaType(MessageKind.STATUS, ctx.contentType())
                .orElseThrow(() -> new ApiError(415, DecodeError.UNSUPPORTED_FORMAT.code(),
                        "Content-Type must be application/json or application/cbor"));
        byte[] body = body(ctx);
        JsonNode tree;
        try {
            tree = (format == PayloadFormat.JSON ? JSON : CBOR).readTree(body);
        } catch (IOException e) {
            throw ApiError.badRequest(DecodeError.MALFORMED.code(), "the body is not well-formed " + format
                    + (e instanceof JsonProcessingException j ? ": " + j.getOriginalMessage() : ""));
        }
        StatusRequests.Parsed status = statusRequests.parse(tree, body, format);
        refuseDisabled(status.deviceId());
        Uplink uplink = new Uplink(Transport.HTTP, status.deviceId(), MessageKind.STATUS, status.format(), status.payload(),
                clock.instant());
        ctx.future(() -> ingest.submit(uplink).thenAccept(r -> {
            if (r instanceof IngestResult.Stored) {
                json(ctx, 200, ApiViews.status(store.device(status.deviceId()).orElseThrow()));
            } else {
                respond(ctx, status.deviceId(), r);
            }
        }));
    }

    private void getStatus(Context ctx) {
        Optional<String> device = ApiParams.device(ctx, "device");
        if (device.isPresent()) {
            json(ctx, 200, ApiViews.status(knownDevice(device.get())));
        } else {
            json(ctx, 200, store.devices().stream().map(ApiViews::status).toList());
        }
    }

    // ------------------------------------------------------------------ devices and commands

    private DeviceRecord knownDevice(String id) {
        return store.device(ApiParams.requireDevice(id, "device")).orElseThrow(() -> ApiError.notFound("no device '" + id + "'"));
    }

    /** Devices heard from, with their key state where the registry knows them, then devices only the registry knows. */
    private void getDevices(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (DeviceRecord d : store.devices()) {
            Map<String, Object> m = ApiViews.device(d);
            m.put("labels", store.labels(d.id()));
            access.registry().ifPresent(r -> m.put("key", r.device(d.id()).map(RegistryRoutes::key).orElse(null)));
            out.add(m);
            seen.add(d.id());
        }
        access.registry().ifPresent(r -> r.devices().stream().filter(k -> !seen.contains(k.deviceId())).forEach(k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", k.deviceId());
            m.put("state", "unknown");
            m.put("key", RegistryRoutes.key(k));
            out.add(m);
        }));
        json(ctx, 200, out);
    }

    private void getDevice(Context ctx) {
        DeviceRecord d = knownDevice(ctx.pathParam("id"));
        Map<String, Object> m = ApiViews.device(d);
        m.put("labels", store.labels(d.id()));
        m.put("status", ApiViews.status(d));
        m.put("boots", store.boots(d.id()).stream().limit(10).map(ApiViews::boot).toList());
        m.put("pendingCommands", downlink.pending(d.id()).size());
        access.registry().ifPresent(r -> m.put("key", r.device(d.id()).map(RegistryRoutes::key).orElse(null)));
        json(ctx, 200, m);
    }

    private void postCommand(Context ctx) {
        if (PayloadFormat.fromMediaType(MessageKind.COMMAND, ctx.contentType()).orElse(null) != PayloadFormat.JSON) {
            throw new ApiError(415, DecodeError.UNSUPPORTED_FORMAT.code(), "Content-Type must be application/json");
        }
        DeviceRecord device = knownDevice(ctx.pathParam("id"));
        CommandRequests.Parsed command = CommandRequests.parse(body(ctx), JSON);
        CompletableFuture<CommandRecord> created;
        try {
            created = downlink.submit(device.id(), command.name(), command.args());
        } catch (DecodeException e) {
            throw refused(e.reason(), e.detail());
        }
        ctx.future(() -> created.thenAccept(r -> json(ctx, 202, ApiViews.command(r))));
    }

    private void getCommands(Context ctx) {
        DeviceRecord device = knownDevice(ctx.pathParam("id"));
        int limit = ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT);
        json(ctx, 200, store.commands(device.id(), limit).stream().map(ApiViews::command).toList());
    }

    private void getEvents(Context ctx) {
        EventQuery q = new EventQuery(ApiParams.device(ctx, "device"), ApiParams.text(ctx, "type"), ApiParams.text(ctx, "name"),
                ApiParams.limit(ctx, ReadingQuery.DEFAULT_LIMIT, ReadingQuery.MAX_LIMIT));
        json(ctx, 200, store.events(q).stream().map(ApiViews::event).toList());
    }

    private void getHealth(Context ctx) {
        boolean ok = store.healthy();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", ok ? "ok" : "degraded");
        m.put("uptimeSeconds", Duration.between(started, clock.instant()).toSeconds());
        m.put("store", Map.of("ok", ok));
        m.put("listeners", listeners.get());
        json(ctx, ok ? 200 : 503, m);
    }

    // ------------------------------------------------------------------ plumbing

    /** The request body, refused with 413 beyond the payload limit before more than that is read. */
    private byte[] body(Context ctx) {
        int max = config.limits().maxPayloadBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(declared, max);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                throw tooLarge(-1, max);
            }
            return body;
        } catch (IOException e) {
            throw ApiError.badRequest("bad_request", "could not read the request body: " + e.getMessage());
        }
    }

    private static ApiError tooLarge(long declared, int max) {
        return new ApiError(413, DecodeError.TOO_LARGE.code(), "the body is " + (declared >= 0 ? declared + " bytes" : "larger")
                + "; the limit is " + max + " bytes");
    }

    static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render a response", e);
        }
    }

    private static void error(Context ctx, int status, String code, String message) {
        json(ctx, status, ApiViews.error(code, message));
    }
}
