package dev.fieldline.gateway.cloud;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A cloud endpoint for tests: a real JDK HTTP server taking cloud sync batches, de-duplicating them
 * by Idempotency-Key as a careful receiver does. Its state outlives {@link #stop()} and
 * {@link #start()}, which rebinds the same port. {@link #behaviour} decides each answer.
 */
final class CloudReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the receiver does with one request. */
    enum Answer {
        /** Store the batch (once per key) and answer 200. */
        OK,
        /** Store the batch, then drop the connection without an answer. */
        STORE_THEN_DROP,
        /** Answer 400 without storing. */
        BAD_REQUEST,
        /** Answer 503 without storing. */
        UNAVAILABLE,
        /** Store the batch, then hold the answer until {@link #release()} (the test stops the server meanwhile). */
        HOLD
    }

    private final int port;
    private HttpServer server;
    private java.util.concurrent.ExecutorService handlers;
    /** Record ids in the order first stored. */
    private final List<String> recordIds = new ArrayList<>();
    /** Batch key → the record ids it carried the first time. */
    private final Map<String, List<String>> batches = new HashMap<>();
    private final List<String> requestKeys = new ArrayList<>();
    private final List<JsonNode> records = new ArrayList<>();
    private final AtomicInteger repeatedKeys = new AtomicInteger();
    private final Map<String, String> lastHeaders = new HashMap<>();
    volatile Function<Integer, Answer> behaviour = n -> Answer.OK;
    /** Counted down when a request is held. */
    final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

    void release() {
        release.countDown();
    }

    CloudReceiver(int port) {
        this.port = port;
    }

    synchronized CloudReceiver start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/ingest", this::handle);
        // handlers on their own threads: stop() joins the dispatcher, which must not be held by a handler
        handlers = java.util.concurrent.Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.start();
        return this;
    }

    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
            handlers.shutdownNow();
        }
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/ingest");
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
        int n;
        synchronized (this) {
            requestKeys.add(key);
            n = requestKeys.size();
            lastHeaders.clear();
            ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
        }
        Answer answer = behaviour.apply(n);
        if (answer == Answer.BAD_REQUEST || answer == Answer.UNAVAILABLE) {
            byte[] msg = "no thanks".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(answer == Answer.BAD_REQUEST ? 400 : 503, msg.length);
            ex.getResponseBody().write(msg);
            ex.close();
            return;
        }
        JsonNode batch = JSON.readTree(body);
        if (!batch.path("batch").asText().equals(key)) {
            throw new IllegalStateException("batch id " + batch.path("batch") + " differs from the Idempotency-Key " + key);
        }
        synchronized (this) {
            if (batches.containsKey(key)) {
                repeatedKeys.incrementAndGet();
            } else {
                List<String> ids = new ArrayList<>();
                for (JsonNode r : batch.path("records")) {
                    ids.add(r.path("id").asText());
                    records.add(r);
                }
                batches.put(key, ids);
                recordIds.addAll(ids);
            }
        }
        if (answer == Answer.HOLD) {
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (answer == Answer.STORE_THEN_DROP) {
            // the JDK server closes the connection when a handler throws: the client gets no answer
            throw new IllegalStateException("dropping the connection on purpose");
        }
        ex.sendResponseHeaders(200, -1);
        ex.close();
    }

    synchronized List<String> recordIds() {
        return List.copyOf(recordIds);
    }

    synchronized List<JsonNode> records() {
        return List.copyOf(records);
    }

    synchronized List<String> requestKeys() {
        return List.copyOf(requestKeys);
    }

    synchronized Map<String, String> lastHeaders() {
        return Map.copyOf(lastHeaders);
    }

    int repeatedKeys() {
        return repeatedKeys.get();
    }

    @Override
    public void close() {
        stop();
    }
}
