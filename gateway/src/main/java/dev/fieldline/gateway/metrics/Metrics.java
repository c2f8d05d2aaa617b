package dev.fieldline.gateway.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters, by name and labels, e.g. {@code ingest_rejected_total{transport="mqtt",reason="malformed"}}.
 * Rendered in the Prometheus text format at {@code GET /metrics} and as JSON in the API. Thread-safe;
 * cheap on the hot path (one map lookup and a {@link LongAdder} increment).
 */
public final class Metrics {
    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, java.util.function.LongSupplier> gauges = new ConcurrentHashMap<>();

    /**
     * Registers a gauge: a value read when the metrics are shown (e.g. {@code analytics_keys}). The
     * supplier must be cheap and thread-safe. Registering the same name again replaces it.
     */
    public void gauge(String name, java.util.function.LongSupplier value) {
        gauges.put(name, value);
    }

    /**
     * Adds one to a counter.
     *
     * @param name metric name, snake_case, ending in {@code _total}
     * @param labels alternating label names and values
     */
    public void increment(String name, String... labels) {
        add(name, 1, labels);
    }

    /**
     * The counter itself, for a hot path that increments it often: keep it and call
     * {@link LongAdder#increment()} instead of looking it up by name each time.
     */
    public LongAdder counter(String name, String... labels) {
        return counters.computeIfAbsent(key(name, labels), k -> new LongAdder());
    }

    public void add(String name, long amount, String... labels) {
        counters.computeIfAbsent(key(name, labels), k -> new LongAdder()).add(amount);
    }

    /** The current value of one counter (0 if never incremented) or gauge. */
    public long get(String name, String... labels) {
        java.util.function.LongSupplier g = labels.length == 0 ? gauges.get(name) : null;
        if (g != null) {
            return g.getAsLong();
        }
        LongAdder a = counters.get(key(name, labels));
        return a == null ? 0 : a.sum();
    }

    /** Sum over every label combination of a counter. */
    public long total(String name) {
        long sum = 0;
        for (Map.Entry<String, LongAdder> e : counters.entrySet()) {
            String k = e.getKey();
            if (k.equals(name) || (k.startsWith(name) && k.charAt(name.length()) == '{')) {
                sum += e.getValue().sum();
            }
        }
        return sum;
    }

    /** Every counter and gauge, sorted by key ({@code name{label="value",...}}). */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        gauges.forEach((k, v) -> out.put(k, v.getAsLong()));
        return out;
    }

    /** Prometheus text exposition format. */
    public String prometheus() {
        StringBuilder b = new StringBuilder();
        String lastName = null;
        for (Map.Entry<String, Long> e : snapshot().entrySet()) {
            String k = e.getKey();
            int brace = k.indexOf('{');
            String name = brace < 0 ? k : k.substring(0, brace);
            if (!name.equals(lastName)) {
                b.append("# TYPE ").append(name).append(gauges.containsKey(name) ? " gauge\n" : " counter\n");
                lastName = name;
            }
            b.append(k).append(' ').append(e.getValue()).append('\n');
        }
        return b.toString();
    }

    private static String key(String name, String... labels) {
        if (labels.length % 2 != 0) {
            throw new IllegalArgumentException("labels must be name/value pairs");
        }
        if (labels.length == 0) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append("=\"").append(labels[i + 1].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return b.append('}').toString();
    }
}
