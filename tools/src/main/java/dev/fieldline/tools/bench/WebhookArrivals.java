package dev.fieldline.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver (the JDK's HTTP server on a free loopback port) as the end of a load's
 * latency: each POST is one rule firing; {@link Identify} tells which device's which message caused
 * it. A message is reported once however often its webhook arrives (a retried delivery).
 */
final class WebhookArrivals implements MqttLoad.Arrivals, AutoCloseable {
    /** Largest webhook body read, in bytes. */
    static final int MAX_BODY = 64 * 1024;

    /** Which message (device index and sequence number) a webhook body is about, if any. */
    @FunctionalInterface
    interface Identify {
        Optional<Message> message(JsonNode body);
    }

    record Message(int device, int seq) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Identify identify;
    private final int every;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong unknown = new AtomicLong();
    private volatile Watch watch;

    /**
     * @param every one message in {@code every} fires the rule, so a run of n messages per device
     *     expects n / every webhooks per device
     */
    WebhookArrivals(Identify identify, int every) throws IOException {
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, was " + every);
        }
        this.identify = identify;
        this.every = every;
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bench-webhook-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/hook", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    /** Webhook POSTs received, duplicates and unidentified ones included. */
    long received() {
        return received.get();
    }

    /** Webhooks whose body named no message of the load. */
    long unknown() {
        return unknown.get();
    }

    @Override
    public AutoCloseable watch(MqttLoad.ArrivalSink sink) {
        Watch w = new Watch(sink);
        watch = w;
        return () -> {
            if (watch == w) {
                watch = null;
            }
        };
    }

    @Override
    public long expected(int messages) {
        return messages / every;
    }

    private void handle(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        try (exchange) {
            received.incrementAndGet();
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                unknown.incrementAndGet();
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            Optional<Message> m;
            try {
                m = identify.message(json.readTree(body));
            } catch (IOException | RuntimeException e) {
                m = Optional.empty();
            }
            Watch w = watch;
            if (m.isEmpty()) {
                unknown.incrementAndGet();
            } else if (w != null) {
                w.arrived(m.get(), now);
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** One run's sink, reporting each message once. */
    private static final class Watch {
        private final MqttLoad.ArrivalSink sink;
        private final Set<Message> seen = ConcurrentHashMap.newKeySet();

        Watch(MqttLoad.ArrivalSink sink) {
            this.sink = sink;
        }

        void arrived(Message m, long nanos) {
            if (seen.add(m)) {
                sink.arrived(m.device(), m.seq(), nanos);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
