package dev.fieldline.gateway.http;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.registry.ApiToken;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.Role;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call what on the web API. A request presents {@code Authorization: Bearer TOKEN}; the
 * token's {@link Role} must include the route's. Without a token: in secure mode only routes marked
 * public ({@code GET /health}, {@code POST /api/v1/enroll}) answer, everything else is 401; in plain
 * mode anonymous requests act as {@link Role#OPERATOR} (reads and writes, as before tokens existed),
 * and admin routes still need an admin token. A wrong token is 401 in both modes.
 *
 * <p>Failed authentications are rate limited per client IP (a token bucket): once a client's bucket
 * is empty its requests with a token get 429 with {@code Retry-After} until a token is back. Counted:
 * {@code http_auth_failed_total{reason}}, {@code http_rate_limited_total{endpoint}}.
 */
final class ApiAccess {
    private static final Logger log = LoggerFactory.getLogger(ApiAccess.class);
    private static final String BEARER = "Bearer ";
    /** The caller's token, set by {@link #guard} for handlers that record who did something. */
    static final String CALLER = "fieldline.caller";

    private final Optional<DeviceRegistry> registry;
    private final boolean secure;
    private final Metrics metrics;
    private final RateLimiter failures;
    private final RateLimiter enrollments;

    ApiAccess(Optional<DeviceRegistry> registry, boolean secure, Metrics metrics, RateLimiter.Limit failureLimit,
            RateLimiter.Limit enrollLimit, Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        if (secure && registry.isEmpty()) {
            throw new IllegalArgumentException("secure mode needs a registry");
        }
        this.secure = secure;
        this.metrics = metrics;
        this.failures = new RateLimiter(failureLimit, clock);
        this.enrollments = new RateLimiter(enrollLimit, clock);
    }

    /** No registry: every request is anonymous and acts as an operator (the API before tokens). */
    static ApiAccess open(Metrics metrics, Clock clock) {
        return new ApiAccess(Optional.empty(), false, metrics, RateLimiter.DEFAULT, RateLimiter.DEFAULT, clock);
    }

    boolean secure() {
        return secure;
    }

    Optional<DeviceRegistry> registry() {
        return registry;
    }

    /** The handler, run only for callers whose role includes {@code needed}. */
    Handler guard(Role needed, Handler handler) {
        return ctx -> {
            require(ctx, needed);
            handler.handle(ctx);
        };
    }

    /** A public route rate limited per client IP (enrollment). */
    Handler limited(String endpoint, Handler handler) {
        return ctx -> {
            Optional<Duration> wait = enrollments.take(ctx.ip());
            if (wait.isPresent()) {
                throw tooMany(endpoint, wait.get());
            }
            handler.handle(ctx);
        };
    }

    private void require(Context ctx, Role needed) {
        String header = ctx.header("Authorization");
        if (header == null) {
            if (secure || needed == Role.ADMIN) {
                ctx.header("WWW-Authenticate", "Bearer");
                throw new ApiError(401, "unauthenticated", secure
                        ? "this gateway runs in secure mode: send Authorization: Bearer TOKEN"
                        : "this needs an admin token: send Authorization: Bearer TOKEN");
            }
            if (!Role.OPERATOR.includes(needed)) {
                throw new ApiError(403, "forbidden", "this needs the " + needed.code() + " role");
            }
            return;
        }
        Optional<Duration> blocked = failures.check(ctx.ip());
        if (blocked.isPresent()) {
            throw tooMany("auth", blocked.get());
        }
        Optional<ApiToken> token = header.regionMatches(true, 0, BEARER, 0, BEARER.length()) && registry.isPresent()
                ? registry.get().authenticateApiToken(header.substring(BEARER.length()).strip())
                : Optional.empty();
        if (token.isEmpty()) {
            metrics.increment("http_auth_failed_total", "reason", "invalid_token");
            log.debug("{} {} from {}: invalid bearer token", ctx.method(), ctx.path(), ctx.ip());
            failures.take(ctx.ip());
            ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new ApiError(401, "invalid_token", "the bearer token is not valid");
        }
        if (!token.get().role().includes(needed)) {
            metrics.increment("http_auth_failed_total", "reason", "forbidden");
            throw new ApiError(403, "forbidden", "token '" + token.get().name() + "' has the " + token.get().role().code()
                    + " role; this needs " + needed.code());
        }
        ctx.attribute(CALLER, token.get());
    }

    private ApiError tooMany(String endpoint, Duration wait) {
        metrics.increment("http_rate_limited_total", "endpoint", endpoint);
        return new RateLimited(Math.max(1, (wait.toMillis() + 999) / 1000));
    }

    /** 429 with the seconds for Retry-After. */
    static final class RateLimited extends ApiError {
        private static final long serialVersionUID = 1L;
        private final long retryAfterSeconds;

        RateLimited(long retryAfterSeconds) {
            super(429, "rate_limited", "too many requests; retry in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /** Who made the request, for audit columns: the token name, or {@code anonymous}. */
    static String caller(Context ctx) {
        ApiToken t = ctx.attribute(CALLER);
        return t == null ? "anonymous" : "token:" + t.name();
    }
}
