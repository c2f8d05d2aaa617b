package dev.fieldline.gateway.analytics;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.engine.EngineConfig;
import dev.fieldline.analytics.engine.EngineCounters;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.engine.StreamEngine;
import dev.fieldline.analytics.engine.StreamListener;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.RuleEngine;
import dev.fieldline.protocol.Reading;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's stream analytics: every numeric reading of a committed telemetry message goes
 * through the {@link StreamEngine} (statistics, detectors, trend) and the resulting observation
 * through the {@link RuleEngine}, and now and then through the {@link StreamInsights}.
 *
 * <p>Threads: {@link #committed} runs on the store's completion thread and only hands the readings
 * to one analytics thread ({@code fieldline-analytics}) through a bounded queue; a full queue drops
 * the message's readings and counts them ({@code analytics_dropped_total}). The engine is confined to
 * that thread: the API's reads ({@link #query}) run there too. Idle streams are expired there
 * periodically (engine and rule state alike).
 *
 * <p>Metrics: {@code analytics_samples_total} (readings analysed), {@code analytics_late_total}
 * (later than the out-of-order allowance for a window), {@code analytics_out_of_order_total} (older
 * than the stream's latest: windows only), {@code analytics_refused_total{reason}} ({@code value}:
 * not finite, {@code keys}: beyond the engine's maxKeys), {@code analytics_expired_total},
 * {@code analytics_dropped_total}, and the gauge {@code analytics_keys} (active streams).
 */
public final class StreamAnalytics implements Analytics, AutoCloseable {
    /** Readings waiting for the analytics thread, in messages, before new ones are dropped. */
    public static final int QUEUE_CAPACITY = 10_000;
    /** How long an API read waits for the analytics thread. */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(StreamAnalytics.class);

    private final StreamEngine engine;
    private final RuleEngine rules;
    private final StreamInsights insights;
    private final Metrics metrics;
    private final Clock clock;
    private final StreamAnalyticsConfig config;
    private final Outputs outputs;
    private final ThreadPoolExecutor worker;
    private final ScheduledExecutorService timer;
    /** Per active stream, on the analytics thread only: latest score and insight cadence. */
    private final Map<StreamKey, Mark> marks = new HashMap<>();
    private volatile int keys;
    private EngineCounters counted = new EngineCounters(0, 0, 0, 0, 0, 0);

    /**
     * Where the analytics' results go besides the rules, e.g. the cloud sync. Called on the analytics
     * thread: must not block.
     */
    public interface Outputs {
        Outputs NONE = new Outputs() {
        };

        /** Every observation, after the rules saw it. */
        default void observed(Observation observation) {
        }

        /** A window of the engine's configured windows closed. */
        default void windowClosed(dev.fieldline.analytics.window.WindowResult result) {
        }
    }

    /** What the gateway remembers per stream besides the engine: the latest score and when the last insight was made. */
    static final class Mark {
        double lastScore;
        long samplesSinceInsight;
        long lastInsightMillis;
    }

    private record Sample(String device, String metric, long timeMillis, double value) {
    }

    /**
     * @param engineConfig the stream engine's detectors, windows and bounds (its idle timeout is
     *     replaced by {@link StreamAnalyticsConfig#idleAfter()})
     * @param insights makes a stream's insight when its cadence says so
     */
    public StreamAnalytics(EngineConfig engineConfig, RuleEngine rules, StreamInsights insights, Metrics metrics, Clock clock,
            StreamAnalyticsConfig config) {
        this(engineConfig, rules, insights, metrics, clock, config, Outputs.NONE);
    }

    /**
     * @param outputs where observations and closed windows go besides the rules (the cloud sync)
     */
    public StreamAnalytics(EngineConfig engineConfig, RuleEngine rules, StreamInsights insights, Metrics metrics, Clock clock,
            StreamAnalyticsConfig config, Outputs outputs) {
        this.outputs = outputs;
        this.engine = new StreamEngine(engineConfig.toBuilder().idleTimeout(config.idleAfter()).build(), new StreamListener() {
            @Override
            public void windowClosed(dev.fieldline.analytics.window.WindowResult result) {
                try {
                    outputs.windowClosed(result);
                } catch (RuntimeException e) {
                    log.warn("window output for {} failed: {}", result.key(), e.toString());
                }
            }

            @Override
            public void streamExpired(StreamKey key) {
                marks.remove(key);
            }
        });
        this.rules = rules;
        this.insights = insights;
        this.metrics = metrics;
        this.clock = clock;
        this.config = config;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
            Thread t = new Thread(r, "fieldline-analytics");
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fieldline-analytics-timer");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1_000, Math.min(60_000, config.idleAfter().toMillis() / 4));
        timer.scheduleWithFixedDelay(() -> submit(this::expire), every, every, TimeUnit.MILLISECONDS);
        metrics.gauge("analytics_keys", () -> keys);
    }

    /** The detectors' names, in the order of {@link Observation#detectorScores()} (fixed at construction). */
    public List<String> detectorNames() {
        return engine.detectorNames();
    }

    @Override
    public void committed(Decoded message) {
        if (!(message instanceof Decoded.TelemetryMessage m)) {
            return;
        }
        List<Sample> samples = new ArrayList<>(m.telemetry().readings().size());
        for (Reading r : m.telemetry().readings()) {
            OptionalDouble v = r.number();
            if (v.isPresent()) {
                samples.add(new Sample(m.telemetry().deviceId(), r.name(), r.time().toEpochMilli(), v.getAsDouble()));
            }
        }
        if (samples.isEmpty()) {
            return;
        }
        if (!submit(() -> analyse(samples))) {
            metrics.add("analytics_dropped_total", samples.size());
        }
    }

    private boolean submit(Runnable task) {
        try {
            worker.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private void analyse(List<Sample> samples) {
        for (Sample s : samples) {
            Observation o;
            try {
                o = engine.accept(s.device(), s.metric(), s.timeMillis(), s.value());
            } catch (RuntimeException e) {
                log.warn("analysing {}/{} failed: {}", s.device(), s.metric(), e.toString());
                continue;
            }
            if (o == null) {
                continue;
            }
            Mark mark = marks.computeIfAbsent(o.key(), k -> {
                Mark fresh = new Mark();
                fresh.lastInsightMillis = clock.millis();
                return fresh;
            });
            mark.lastScore = o.anomalyScore();
            try {
                rules.evaluate(o);
            } catch (RuntimeException e) {
                log.warn("rules on {} failed: {}", o.key(), e.toString());
            }
            try {
                outputs.observed(o);
            } catch (RuntimeException e) {
                log.warn("output of {} failed: {}", o.key(), e.toString());
            }
            mark.samplesSinceInsight++;
            long now = clock.millis();
            if (mark.samplesSinceInsight >= config.insightEverySamples()
                    || now - mark.lastInsightMillis >= config.insightEvery().toMillis()) {
                mark.samplesSinceInsight = 0;
                mark.lastInsightMillis = now;
                try {
                    insights.insight(engine, o);
                } catch (RuntimeException e) {
                    log.warn("insight on {} failed: {}", o.key(), e.toString());
                }
            }
        }
        count();
    }

    /** Moves the engine's counters into the gateway's metrics. */
    private void count() {
        EngineCounters c = engine.counters();
        metrics.add("analytics_samples_total", c.samples() - counted.samples());
        metrics.add("analytics_late_total", c.late() - counted.late());
        metrics.add("analytics_out_of_order_total", c.outOfOrder() - counted.outOfOrder());
        if (c.refusedValues() > counted.refusedValues()) {
            metrics.add("analytics_refused_total", c.refusedValues() - counted.refusedValues(), "reason", "value");
        }
        if (c.refusedKeys() > counted.refusedKeys()) {
            metrics.add("analytics_refused_total", c.refusedKeys() - counted.refusedKeys(), "reason", "keys");
        }
        metrics.add("analytics_expired_total", c.expired() - counted.expired());
        counted = c;
        keys = engine.activeKeys();
    }

    /** Forgets streams idle for longer than the configured time, in the engine and in the rules. */
    private void expire() {
        engine.expireIdle(clock.millis());
        rules.expireIdle(config.idleAfter());
        count();
    }

    /**
     * Runs a read on the analytics thread (the engine is confined to it) and waits for the answer.
     *
     * @throws AnalyticsBusyException when the thread does not answer within 5 s or its queue is full
     */
    public <T> T query(Function<View, T> read) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (!submit(() -> {
            try {
                f.complete(read.apply(new View()));
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        })) {
            throw new AnalyticsBusyException("the analytics queue is full");
        }
        try {
            return f.get(QUERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AnalyticsBusyException("the analytics thread did not answer within " + QUERY_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnalyticsBusyException("interrupted");
        }
    }

    /** What a {@link #query} may read: valid only inside it, on the analytics thread. */
    public final class View {
        private View() {
        }

        public StreamEngine engine() {
            return engine;
        }

        /** The active streams in no particular order. */
        public java.util.Set<StreamKey> streams() {
            return java.util.Collections.unmodifiableSet(marks.keySet());
        }

        /** The stream's latest anomaly score, NaN when unknown. */
        public double lastScore(StreamKey key) {
            Mark m = marks.get(key);
            return m == null ? Double.NaN : m.lastScore;
        }
    }

    /** Stops the analytics thread; readings still queued are dropped. */
    @Override
    public void close() {
        timer.shutdownNow();
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The analytics thread could not answer an API read in time. */
    public static final class AnalyticsBusyException extends dev.fieldline.gateway.GatewayException {
        private static final long serialVersionUID = 1L;

        AnalyticsBusyException(String message) {
            super("analytics_busy", message);
        }
    }
}
