package dev.fieldline.gateway.actions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.RuleFiring;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code webhook {url, headers?, timeout?, retries?}}: POSTs the firing as JSON
 * ({@link FiringView#body}) to an http or https URL, with {@code Idempotency-Key} a UUID derived from
 * the firing and the URL, the same on every retry and for the same firing handed over again.
 *
 * <p>Retries, with exponential backoff and jitter ({@link WebhookConfig}), after connect errors,
 * timeouts, 5xx, 408 and 429; a {@code Retry-After} (seconds or an HTTP date) lengthens the wait to
 * what the receiver asked, and one beyond {@link WebhookConfig#maxRetryAfter} ends the delivery. Any
 * other status (other 4xx, 3xx) is final. Delivery runs on its own threads: at most
 * {@link WebhookConfig#maxInFlight} deliveries are under way or waiting, more are refused at once.
 * Counted: {@code webhook_sent_total}, {@code webhook_retries_total}, {@code webhook_failed_total{rule}},
 * {@code webhook_dropped_total{rule}}.
 */
final class WebhookAction implements Action, AutoCloseable {
    static final String TYPE = "webhook";
    static final int MAX_URL_LENGTH = 2048;
    static final int MAX_HEADERS = 20;
    static final Duration MIN_TIMEOUT = Duration.ofMillis(10);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(2);
    private static final Logger log = LoggerFactory.getLogger(WebhookAction.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> KNOWN = Set.of("url", "headers", "timeout", "retries");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    /** Headers the JDK client or this action sets itself. */
    private static final Set<String> RESERVED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "content-type", "idempotency-key");

    private record Target(URI url, Map<String, String> headers, Duration timeout, int retries) {
        /** The URL without query or user info, for messages (either may carry a secret). */
        String shown() {
            return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getRawPath();
        }
    }

    private final WebhookConfig config;
    private final Metrics metrics;
    private final ExecutorService io;
    private final ScheduledExecutorService retries;
    private final HttpClient client;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    WebhookAction(WebhookConfig config, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.io = Executors.newFixedThreadPool(2, r -> daemon(r, "fieldline-webhook-" + n.incrementAndGet()));
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "fieldline-webhook-retry"));
        this.client = HttpClient.newBuilder().executor(io).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.defaultTimeout()).build();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String type() {
        return TYPE;
    }

    private Target parse(ActionSettings s) {
        URI url = null;
        Optional<String> text = s.requiredText("url", MAX_URL_LENGTH);
        if (text.isPresent()) {
            try {
                url = new URI(text.get());
                String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https")) {
                    s.problem("url", "must be an http or https URL, was '" + text.get() + "'");
                    url = null;
                } else if (url.getHost() == null) {
                    s.problem("url", "has no host: '" + text.get() + "'");
                    url = null;
                }
            } catch (URISyntaxException e) {
                s.problem("url", "is not a URL: " + e.getMessage());
            }
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Map<String, Object> given = s.map("headers");
        if (given.size() > MAX_HEADERS) {
            s.problem("headers", "has " + given.size() + " headers; the limit is " + MAX_HEADERS);
        }
        given.forEach((name, value) -> {
            if (!TOKEN.matcher(name).matches()) {
                s.problem("headers", "has an invalid header name '" + name + "'");
            } else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                s.problem("headers", "may not set " + name + " (the gateway sets it)");
            } else if (!(value instanceof String v) || v.length() > 1024 || v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                s.problem("headers." + name, "must be text of at most 1024 characters without control characters");
            } else {
                headers.put(name, v);
            }
        });
        Duration timeout = config.defaultTimeout();
        Object t = s.get("timeout");
        if (t != null) {
            Optional<Duration> d = t instanceof Number n ? Optional.of(Duration.ofMillis(Math.round(n.doubleValue() * 1000)))
                    : t instanceof String str ? ConfigNode.parseDuration(str) : Optional.empty();
            if (d.isEmpty() || d.get().compareTo(MIN_TIMEOUT) < 0 || d.get().compareTo(MAX_TIMEOUT) > 0) {
                s.problem("timeout", "must be a duration from 10ms to 2m (e.g. 5s, or a number of seconds), was "
                        + ActionSettings.describe(t));
            } else {
                timeout = d.get();
            }
        }
        int retryCount = s.integer("retries", 0, config.maxRetries()).map(Long::intValue).orElse(config.defaultRetries());
        return new Target(url, Map.copyOf(headers), timeout, retryCount);
    }

    @Override
    public List<String> validate(Map<String, Object> settings) {
        return ActionSettings.check(TYPE, KNOWN, settings, this::parse);
    }

    @Override
    public CompletableFuture<?> fired(Map<String, Object> settings, RuleFiring firing) {
        Target target = ActionSettings.read(TYPE, KNOWN, settings, this::parse);
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(FiringView.body("fired", firing));
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("the firing is not JSON: " + e.getOriginalMessage()));
        }
        String key = UUID.nameUUIDFromBytes((FiringView.id(firing) + "|" + target.url()).getBytes(StandardCharsets.UTF_8)).toString();
        return deliver(firing.ruleId(), target, body, key);
    }

    private CompletableFuture<Void> deliver(String rule, Target target, byte[] body, String key) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("webhooks are stopped (the gateway is closing)"));
        }
        if (inFlight.incrementAndGet() > config.maxInFlight()) {
            inFlight.decrementAndGet();
            metrics.increment("webhook_dropped_total", "rule", rule);
            return CompletableFuture.failedFuture(new IllegalStateException("webhook to " + target.shown() + " refused: "
                    + config.maxInFlight() + " deliveries are already under way"));
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.add(done);
        done.whenComplete((r, e) -> {
            inFlight.decrementAndGet();
            pending.remove(done);
        });
        send(rule, target, body, key, 0, done);
        return done;
    }

    /** Runs an attempt on the webhook threads: the caller never waits, not even on a name lookup. */
    private void send(String rule, Target target, byte[] body, String key, int attempt, CompletableFuture<Void> done) {
        try {
            io.execute(() -> attempt(rule, target, body, key, attempt, done));
        } catch (RejectedExecutionException e) {
            fail(rule, target, done, attempt, "webhooks are stopped (the gateway is closing)");
        }
    }

    private void attempt(String rule, Target target, byte[] body, String key, int attempt, CompletableFuture<Void> done) {
        if (closed || done.isDone()) {
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(target.url()).timeout(target.timeout())
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        target.headers().forEach(b::header);
        client.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                metrics.increment("webhook_sent_total");
                log.debug("webhook {} to {}: {} after {} attempts", key, target.shown(), response.statusCode(), attempt + 1);
                done.complete(null);
                return;
            }
            String why;
            boolean retryable;
            Optional<Duration> asked = Optional.empty();
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                retryable = cause instanceof IOException; // connect errors, resets and timeouts
                why = cause.toString();
            } else {
                int status = response.statusCode();
                retryable = status >= 500 || status == 408 || status == 429;
                why = "HTTP " + status;
                asked = response.headers().firstValue("Retry-After").flatMap(WebhookAction::retryAfter);
            }
            if (asked.isPresent() && asked.get().compareTo(config.maxRetryAfter()) > 0) {
                fail(rule, target, done, attempt, why + " with Retry-After " + asked.get().toSeconds() + " s, beyond the "
                        + config.maxRetryAfter().toSeconds() + " s the gateway waits");
            } else if (retryable && attempt < target.retries()) {
                Duration wait = backoff(attempt);
                if (asked.isPresent() && asked.get().compareTo(wait) > 0) {
                    wait = asked.get();
                }
                metrics.increment("webhook_retries_total");
                log.debug("webhook {} to {}: {}; retry {} in {} ms", key, target.shown(), why, attempt + 1, wait.toMillis());
                try {
                    retries.schedule(() -> send(rule, target, body, key, attempt + 1, done), wait.toMillis(), TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    fail(rule, target, done, attempt, why + " (stopped before the retry)");
                }
            } else {
                fail(rule, target, done, attempt, retryable ? why : why + ", not retried");
            }
        });
    }

    private void fail(String rule, Target target, CompletableFuture<Void> done, int attempt, String why) {
        metrics.increment("webhook_failed_total", "rule", rule);
        done.completeExceptionally(new IllegalStateException("webhook to " + target.shown() + " failed after " + (attempt + 1)
                + (attempt == 0 ? " attempt: " : " attempts: ") + why));
    }

    /** The wait before retry {@code attempt + 1}: the configured backoff (capped doubling with jitter). */
    Duration backoff(int attempt) {
        return config.backoff().delay(attempt + 1, ThreadLocalRandom.current()::nextDouble);
    }

    /** {@code Retry-After}: delay-seconds or an HTTP date; empty if neither. */
    static Optional<Duration> retryAfter(String value) {
        String v = value.strip();
        if (v.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Duration d = Duration.between(java.time.Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return Optional.of(d.isNegative() ? Duration.ZERO : d);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Stops the threads; deliveries under way or waiting for a retry fail. */
    @Override
    public void close() {
        closed = true;
        retries.shutdownNow();
        io.shutdownNow();
        for (CompletableFuture<Void> f : List.copyOf(pending)) {
            f.completeExceptionally(new IllegalStateException("webhooks are stopped (the gateway is closing)"));
        }
    }
}
