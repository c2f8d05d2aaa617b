package dev.fieldline.gateway.actions;

import static dev.fieldline.gateway.actions.Firings.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.ActionSpec;
import dev.fieldline.testsupport.Peers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Webhook actions against a real HTTP server (the JDK's) on a loopback port. */
@Tag("loopback")
class WebhookActionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the server saw it. */
    private record Seen(long atNanos, String idempotencyKey, String contentType, String custom, JsonNode body) {
    }

    /** What the server answers next: a status and optional Retry-After; {@code block} holds the answer. */
    private record Answer(int status, String retryAfter, boolean block) {
    }

    private final Metrics metrics = new Metrics();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Deque<Answer> script = new ArrayDeque<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final ExecutorService serverThreads = Executors.newCachedThreadPool();
    private HttpServer server;
    private String url;
    private WebhookAction webhook;
    private GatewayActions actions;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/hook", this::handle);
        server.setExecutor(serverThreads);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook?token=secret";
        use(WebhookConfig.DEFAULTS.withBackoff(Duration.ofMillis(10), Duration.ofMillis(40)));
    }

    private void use(WebhookConfig config) {
        if (actions != null) {
            actions.close();
        }
        webhook = new WebhookAction(config, metrics);
        actions = GatewayActions.of(metrics, List.of(webhook));
    }

    @AfterEach
    void stop() {
        actions.close();
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] body = x.getRequestBody().readAllBytes();
            seen.add(new Seen(System.nanoTime(), x.getRequestHeaders().getFirst("Idempotency-Key"),
                    x.getRequestHeaders().getFirst("Content-Type"), x.getRequestHeaders().getFirst("X-Custom"), JSON.readTree(body)));
            Answer a;
            synchronized (script) {
                a = script.isEmpty() ? new Answer(200, null, false) : script.poll();
            }
            if (a.block()) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (a.retryAfter() != null) {
                x.getResponseHeaders().add("Retry-After", a.retryAfter());
            }
            x.sendResponseHeaders(a.status(), -1);
        }
    }

    private void answer(Answer... answers) {
        synchronized (script) {
            script.addAll(List.of(answers));
        }
    }

    private void fire(Map<String, Object> settings) {
        actions.fired(List.of(new ActionSpec("webhook", settings)), firing("dev-1", 80, 0));
    }

    @Test
    void aFiringIsPostedAsJsonWithAnIdempotencyKeyAndItsHeaders() {
        fire(Map.of("url", url, "headers", Map.of("X-Custom", "yes")));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_sent_total") == 1);
        assertThat(seen).singleElement().satisfies(s -> {
            assertThat(s.contentType()).isEqualTo("application/json");
            assertThat(s.custom()).isEqualTo("yes");
            assertThat(s.idempotencyKey()).matches("[0-9a-f-]{36}");
            assertThat(s.body().path("event").asText()).isEqualTo("fired");
            assertThat(s.body().path("id").asText()).isEqualTo("hot/dev-1/temperature/2026-11-21T10:00:00Z");
            assertThat(s.body().path("device").asText()).isEqualTo("dev-1");
            assertThat(s.body().path("value").asDouble()).isEqualTo(80);
            assertThat(s.body().path("details").path("threshold").asDouble()).isEqualTo(75);
        });
        fire(Map.of("url", url));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
        assertThat(seen.get(1).idempotencyKey()).as("the same firing has the same key").isEqualTo(seen.get(0).idempotencyKey());
        assertThat(metrics.get("rule_failed_total", "rule", "hot")).isZero();
    }

    @Test
    void unavailableTwiceThenOkIsRetriedWithTheSameIdempotencyKey() {
        answer(new Answer(503, null, false), new Answer(503, null, false));
        fire(Map.of("url", url, "retries", 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_sent_total") == 1);
        assertThat(seen).hasSize(3).extracting(Seen::idempotencyKey).containsOnly(seen.get(0).idempotencyKey());
        assertThat(metrics.get("webhook_retries_total")).isEqualTo(2);
        assertThat(metrics.get("webhook_failed_total", "rule", "hot")).isZero();
    }

    @Test
    void aClientErrorIsFinalAndCountedAsTheRulesFailure() {
        answer(new Answer(400, null, false));
        fire(Map.of("url", url, "retries", 3));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("rule_failed_total", "rule", "hot") == 1);
        assertThat(seen).hasSize(1);
        assertThat(metrics.get("webhook_failed_total", "rule", "hot")).isEqualTo(1);
        assertThat(metrics.get("actions_failed_total", "type", "webhook")).isEqualTo(1);
        assertThat(metrics.get("webhook_retries_total")).isZero();
    }

    @Test
    void retriesRunOutOnRepeated5xxAnd408AndTheyAreCounted() {
        answer(new Answer(500, null, false), new Answer(408, null, false), new Answer(502, null, false));
        fire(Map.of("url", url, "retries", 2));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_failed_total", "rule", "hot") == 1);
        assertThat(seen).hasSize(3);
        assertThat(metrics.get("webhook_retries_total")).isEqualTo(2);
        assertThat(metrics.get("webhook_sent_total")).isZero();
    }

    @Test
    void retryAfterIsHonouredAndOneBeyondTheLimitEndsTheDelivery() {
        answer(new Answer(429, "1", false));
        fire(Map.of("url", url));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_sent_total") == 1);
        assertThat(seen).hasSize(2);
        assertThat(Duration.ofNanos(seen.get(1).atNanos() - seen.get(0).atNanos()))
                .as("the retry waited the second the receiver asked for, not the 10-40 ms backoff")
                .isGreaterThanOrEqualTo(Duration.ofMillis(990));

        seen.clear();
        answer(new Answer(503, "3600", false));
        fire(Map.of("url", url));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_failed_total", "rule", "hot") == 1);
        assertThat(seen).hasSize(1);
    }

    @Test
    void aReceiverThatDoesNotAnswerInTimeIsRetriedThenGivenUp() {
        answer(new Answer(200, null, true), new Answer(200, null, true));
        fire(Map.of("url", url, "timeout", "200ms", "retries", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("webhook_failed_total", "rule", "hot") == 1);
        assertThat(seen).hasSize(2);
        assertThat(metrics.get("webhook_retries_total")).isEqualTo(1);
    }

    @Test
    void connectErrorsAreRetried() {
        fire(Map.of("url", "http://127.0.0.1:" + Peers.freeTcpPort() + "/hook", "retries", 2, "timeout", 2));
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.get("webhook_failed_total", "rule", "hot") == 1);
        assertThat(metrics.get("webhook_retries_total")).isEqualTo(2);
    }

    @Test
    void deliveriesBeyondTheInFlightBoundAreRefusedAtOnce() {
        use(WebhookConfig.DEFAULTS.withMaxInFlight(1));
        answer(new Answer(200, null, true));
        fire(Map.of("url", url));
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
        actions.fired(List.of(new ActionSpec("webhook", Map.of("url", url))), firing("dev-2", 80, 0));
        assertThat(metrics.get("webhook_dropped_total", "rule", "hot")).isEqualTo(1);
        assertThat(metrics.get("rule_failed_total", "rule", "hot")).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_sent_total") == 1);
        fire(Map.of("url", url));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("webhook_sent_total") == 2);
    }

    @Test
    void settingsAreCheckedNamingEachProblem() {
        assertThat(actions.validate(new ActionSpec("webhook", Map.of("url", url, "timeout", "5s", "retries", 2)))).isEmpty();
        assertThat(actions.validate(new ActionSpec("webhook", Map.of("timeout", 1.5)))).containsExactly("webhook.url is required");
        assertThat(actions.validate(new ActionSpec("webhook", Map.of("url", "ftp://example.org/x"))))
                .containsExactly("webhook.url must be an http or https URL, was 'ftp://example.org/x'");
        assertThat(actions.validate(new ActionSpec("webhook", Map.of("url", "http:///nohost"))))
                .containsExactly("webhook.url has no host: 'http:///nohost'");
        assertThat(actions.validate(new ActionSpec("webhook", Map.of("url", url, "headers", Map.of("Idempotency-Key", "x",
                "bad name", "y", "X-Ok", 3), "timeout", "forever", "retries", 99)))).containsExactlyInAnyOrder(
                "webhook.headers may not set Idempotency-Key (the gateway sets it)",
                "webhook.headers has an invalid header name 'bad name'",
                "webhook.headers.X-Ok must be text of at most 1024 characters without control characters",
                "webhook.timeout must be a duration from 10ms to 2m (e.g. 5s, or a number of seconds), was 'forever'",
                "webhook.retries must be from 0 to 10, was 99");
    }

    @Test
    void backoffDoublesUpToItsCapWithJitterOfHalf() {
        WebhookAction w = new WebhookAction(WebhookConfig.DEFAULTS.withBackoff(Duration.ofMillis(100), Duration.ofMillis(1000)), metrics);
        try {
            for (int i = 0; i < 200; i++) {
                assertThat(w.backoff(0).toMillis()).isBetween(50L, 150L);
                assertThat(w.backoff(2).toMillis()).isBetween(200L, 600L);
                assertThat(w.backoff(10).toMillis()).isBetween(500L, 1000L);
            }
        } finally {
            w.close();
        }
        assertThat(WebhookAction.retryAfter("120")).contains(Duration.ofSeconds(120));
        assertThat(WebhookAction.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
        assertThat(WebhookAction.retryAfter("soon")).isEmpty();
    }
}
