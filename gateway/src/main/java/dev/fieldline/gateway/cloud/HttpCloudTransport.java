package dev.fieldline.gateway.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.cloud.CloudSyncConfig.HttpTarget;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * POSTs each batch as {@code application/json} {@code {"batch": id, "records": [...]}} with the header
 * {@code Idempotency-Key: id}; the batch id stays the same across retries of the same records, so a
 * receiver that stored a batch but whose answer was lost can recognise the retry. 2xx confirms the
 * batch; 408, 429, 5xx and network errors are retried (honouring Retry-After in seconds); any other
 * status refuses the batch for good (dead letters).
 */
final class HttpCloudTransport implements CloudTransport {
    /** Most characters of a refusing response's body kept in the dead letters' reason. */
    private static final int MAX_DETAIL = 300;
    private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpTarget target;
    private final HttpClient client;

    HttpCloudTransport(HttpTarget target) {
        this.target = target;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(target.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** The request body: the stored records' JSON inside a batch envelope. */
    static String body(CloudOutbox.Batch batch) {
        StringBuilder b = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 64, batch.bytes() + 128));
        try {
            b.append("{\"batch\":").append(JSON.writeValueAsString(batch.id())).append(",\"records\":[");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < batch.entries().size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(batch.entries().get(i).json());
        }
        return b.append("]}").toString();
    }

    @Override
    public SendOutcome send(CloudOutbox.Batch batch) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.url())
                .timeout(target.timeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", batch.id())
                .POST(HttpRequest.BodyPublishers.ofString(body(batch), StandardCharsets.UTF_8));
        target.token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
        for (Map.Entry<String, String> h : target.headers().entrySet()) {
            request.header(h.getKey(), h.getValue());
        }
        long none = batch.first() - 1;
        HttpResponse<String> response;
        // sendAsync with our own bound: the request timeout alone was seen not to fire while a
        // server held a request open (JDK 17.0.15), which would stall the drain for ever
        CompletableFuture<HttpResponse<String>> pending =
                client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            response = pending.get(target.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return SendOutcome.retry(none, "timeout", "no answer from " + target.url() + " within " + target.timeout());
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                return SendOutcome.retry(none, "connect_timeout", "no connection to " + target.url() + " within "
                        + target.timeout());
            }
            if (cause instanceof HttpTimeoutException) {
                return SendOutcome.retry(none, "timeout", "no answer from " + target.url() + " within " + target.timeout());
            }
            return SendOutcome.retry(none, "connection", "cannot reach " + target.url() + ": " + cause);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return SendOutcome.delivered(batch);
        }
        String detail = "HTTP " + status + " from " + target.url() + ": " + snippet(response.body());
        if (status == 408 || status == 429 || status >= 500) {
            return SendOutcome.retry(none, "status_" + status, detail)
                    .withRetryAfter(response.headers().firstValue("Retry-After").flatMap(HttpCloudTransport::seconds));
        }
        return SendOutcome.rejected(none, batch.last(), "status_" + status, detail);
    }

    private static Optional<Duration> seconds(String retryAfter) {
        try {
            long s = Long.parseLong(retryAfter.trim());
            return s < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(s, MAX_RETRY_AFTER.toSeconds())));
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: fall back to our own backoff
        }
    }

    private static String snippet(String body) {
        String s = body == null ? "" : body.replaceAll("\\s+", " ").trim();
        return s.length() > MAX_DETAIL ? s.substring(0, MAX_DETAIL) + "..." : s;
    }

    @Override
    public void close() {
        // HttpClient (JDK 17) has no close; its connections idle out
    }
}
