package dev.fieldline.gateway.cloud;

import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.window.WindowResult;
import dev.fieldline.gateway.GatewayStartException;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.cloud.CloudOutbox.Appended;
import dev.fieldline.gateway.cloud.CloudOutbox.Batch;
import dev.fieldline.gateway.cloud.CloudOutbox.DeadLetter;
import dev.fieldline.gateway.cloud.CloudSyncConfig.HttpTarget;
import dev.fieldline.gateway.cloud.CloudSyncConfig.MqttTarget;
import dev.fieldline.gateway.cloud.CloudTransport.SendOutcome;
import dev.fieldline.gateway.ingest.CommitListener;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.security.ClientTls;
import dev.fieldline.gateway.security.Pem;
import dev.fieldline.gateway.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cloud sync: the gateway's store-and-forward uplink to an HTTP endpoint or an upstream MQTT broker.
 * What the {@link CloudSelection} picks from committed telemetry ({@link #committed}), engine
 * observations ({@link #anomaly}), closed windows ({@link #aggregate}) and raised alerts ({@link #alert}), and whatever rule actions
 * {@link #forward}, is appended to the durable {@link CloudOutbox} ({@code {dataDir}/cloud-outbox.db})
 * by one writer thread (group commit), and one drain thread sends it in order: a batch leaves the
 * outbox only after the peer confirmed it; failures are retried after a capped doubling backoff with
 * jitter; a batch the peer refuses for good becomes dead letters. After an outage everything selected
 * arrives once, in order (MQTT: at least once, in order, duplicates carrying the same record id).
 *
 * <p>Metrics: {@code cloud_enqueued_total{kind}}, {@code cloud_forwarded_total{kind}},
 * {@code cloud_dropped_total{reason}} ({@code full}, {@code too_large}, {@code busy}, {@code dead_letter_overflow}),
 * {@code cloud_send_failures_total{reason}}, {@code cloud_dead_letters_total}; {@link #pending()} is the gauge.
 */
public final class CloudSync implements CloudForward, CommitListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloudSync.class);
    /** Appends waiting for the writer thread; beyond it selected items are dropped ({@code busy}). */
    static final int WRITE_QUEUE = 10_000;
    /** Longest {@link #forward} waits for its record to reach the disk. */
    static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);

    private final CloudSyncConfig config;
    private final CloudOutbox outbox;
    private final CloudTransport transport;
    private final Metrics metrics;
    private final Clock clock;
    private final int batchSize;
    private final long batchBytes;
    private final BlockingQueue<Write> writes = new ArrayBlockingQueue<>(WRITE_QUEUE);
    private final BlockingQueue<Boolean> wake = new ArrayBlockingQueue<>(1);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread writer;
    private final Thread drain;
    private volatile boolean closed;

    private record Write(List<CloudRecord> records, CompletableFuture<List<Appended>> done) {
    }

    private CloudSync(CloudSyncConfig config, CloudOutbox outbox, CloudTransport transport, Metrics metrics, Clock clock) {
        this.config = config;
        this.outbox = outbox;
        this.transport = transport;
        this.metrics = metrics;
        this.clock = clock;
        if (config.target() instanceof HttpTarget h) {
            batchSize = h.batchSize();
            batchBytes = h.batchBytes();
        } else {
            batchSize = CloudSyncConfig.DEFAULT_BATCH_SIZE;
            batchBytes = CloudSyncConfig.DEFAULT_BATCH_BYTES;
        }
        writer = new Thread(this::writeLoop, "fl-cloud-outbox");
        writer.setDaemon(true);
        drain = new Thread(this::drainLoop, "fl-cloud-drain");
        drain.setDaemon(true);
    }

    /**
     * Opens the outbox under {@code dataDir} and starts the writer and drain threads. Connections to
     * the cloud are made by the drain thread (a cloud that is down at start is retried, not fatal).
     *
     * @throws GatewayStartException when the outbox cannot be opened or the MQTT CA file cannot be read
     */
    public static CloudSync start(CloudSyncConfig config, Path dataDir, Metrics metrics, Clock clock) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(clock, "clock");
        CloudTransport transport = config.target() instanceof MqttTarget m
                ? new MqttCloudTransport(m, tls(m)) : new HttpCloudTransport((HttpTarget) config.target());
        CloudOutbox outbox;
        try {
            outbox = CloudOutbox.open(dataDir, config.maxRecords(), config.maxBytes());
        } catch (StoreException e) {
            throw new GatewayStartException("cloud sync", e.getMessage(), e);
        }
        CloudSync sync = new CloudSync(config, outbox, transport, metrics, clock);
        sync.writer.start();
        sync.drain.start();
        LOG.info("Cloud sync started: {} ({} records pending, {} dead letters)", describe(config.target()),
                outbox.pending(), outbox.deadLetterCount());
        return sync;
    }

    private static String describe(CloudSyncConfig.Target t) {
        return t instanceof HttpTarget h ? "HTTP " + h.url() : "MQTT " + ((MqttTarget) t).broker();
    }

    private static Optional<SSLSocketFactory> tls(MqttTarget m) {
        if (m.caFile().isEmpty()) {
            return Optional.empty();
        }
        Path file = m.caFile().get();
        try {
            return Optional.of(ClientTls.trustingSocketFactory(Pem.parseCertificate(Files.readString(file))));
        } catch (IOException | CertificateException | IllegalArgumentException e) {
            throw new GatewayStartException("cloud sync", "cannot read the cloud broker's CA certificate " + file + ": "
                    + e.getMessage(), e);
        }
    }

    public CloudSyncConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ intake

    /** Selects readings from committed telemetry and queues them for the outbox; never blocks. */
    @Override
    public void committed(Decoded message) {
        enqueue(config.selection().readings(message));
    }

    /** Queues an engine observation whose anomaly score reaches the selection's minimum; never blocks. */
    public void anomaly(Observation observation) {
        config.selection().anomaly(observation).ifPresent(r -> enqueue(List.of(r)));
    }

    /**
     * Queues a closed window when it is of the selected spec and metric; never blocks. The stream glue
     * runs {@code config().selection().aggregates()}'s window on the engine and calls this as its
     * {@link dev.fieldline.analytics.window.WindowListener}.
     */
    public void aggregate(WindowResult window) {
        config.selection().aggregate(window).ifPresent(r -> enqueue(List.of(r)));
    }

    /** Queues a raised alert when alerts are selected; never blocks. */
    public void alert(AlertRecord alert) {
        config.selection().alert(alert).ifPresent(r -> enqueue(List.of(r)));
    }

    private void enqueue(List<CloudRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        if (closed || !writes.offer(new Write(records, null))) {
            for (CloudRecord r : records) {
                metrics.increment("cloud_dropped_total", "reason", "busy");
            }
        }
    }

    /**
     * Appends the record to the outbox and returns once it is on disk: true when stored (or already
     * pending), false when the outbox is full, the record too large, or the gateway is closing
     * (counted in {@code cloud_dropped_total}). Waits for the disk (a group commit, milliseconds; at
     * most {@link #FORWARD_TIMEOUT}), never for the network.
     */
    @Override
    public boolean forward(CloudRecord record) {
        try {
            return forwardAsync(record).get(FORWARD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cloud outbox: record {} not stored: {}", record.id(), e.toString());
            return false;
        }
    }

    /**
     * {@link #forward} without waiting: completes with true once the record is on disk (or already
     * pending), with false when it was refused (counted), exceptionally when the outbox failed.
     */
    public CompletableFuture<Boolean> forwardAsync(CloudRecord record) {
        Objects.requireNonNull(record, "record");
        CompletableFuture<List<Appended>> done = new CompletableFuture<>();
        if (closed || !writes.offer(new Write(List.of(record), done))) {
            metrics.increment("cloud_dropped_total", "reason", "busy");
            return CompletableFuture.completedFuture(false);
        }
        return done.thenApply(r -> r.get(0) == Appended.STORED || r.get(0) == Appended.ALREADY_PENDING);
    }

    private void writeLoop() {
        List<Write> batch = new ArrayList<>();
        while (true) {
            try {
                Write first = writes.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                writes.drainTo(batch, 999);
                write(batch);
                batch.clear();
            } catch (InterruptedException e) {
                if (!closed) {
                    continue;
                }
                writes.drainTo(batch);
                write(batch);
                return;
            }
        }
    }

    private void write(List<Write> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<CloudRecord> all = new ArrayList<>();
        for (Write w : batch) {
            all.addAll(w.records());
        }
        List<Appended> results;
        try {
            results = outbox.append(all);
        } catch (RuntimeException e) {
            LOG.warn("cloud outbox: {} records not stored: {}", all.size(), e.toString());
            for (Write w : batch) {
                metrics.add("cloud_dropped_total", w.records().size(), "reason", "store_failed");
                if (w.done() != null) {
                    w.done().completeExceptionally(e);
                }
            }
            return;
        }
        int i = 0;
        boolean stored = false;
        for (Write w : batch) {
            List<Appended> mine = results.subList(i, i + w.records().size());
            for (int k = 0; k < mine.size(); k++) {
                Appended a = mine.get(k);
                switch (a) {
                    case STORED -> {
                        stored = true;
                        metrics.increment("cloud_enqueued_total", "kind", w.records().get(k).kind());
                    }
                    case FULL -> metrics.increment("cloud_dropped_total", "reason", "full");
                    case TOO_LARGE -> metrics.increment("cloud_dropped_total", "reason", "too_large");
                    case ALREADY_PENDING -> { }
                    default -> throw new IllegalStateException(a.toString());
                }
            }
            if (w.done() != null) {
                w.done().complete(List.copyOf(mine));
            }
            i += w.records().size();
        }
        if (stored) {
            wake.offer(Boolean.TRUE);
        }
    }

    // ------------------------------------------------------------------ drain

    private void drainLoop() {
        int failures = 0;
        while (!closed) {
            try {
                Optional<Batch> next = outbox.next(batchSize, batchBytes);
                if (next.isEmpty()) {
                    wake.poll(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                Batch batch = next.get();
                SendOutcome outcome = transport.send(batch);
                long before = batch.first() - 1;
                if (outcome.confirmedThrough() > before) {
                    outbox.delete(outcome.confirmedThrough());
                    for (CloudOutbox.Entry e : batch.entries()) {
                        if (e.seq() <= outcome.confirmedThrough()) {
                            metrics.increment("cloud_forwarded_total", "kind", e.kind());
                        }
                    }
                    failures = 0;
                }
                switch (outcome.status()) {
                    case DELIVERED -> failures = 0;
                    case REJECTED -> {
                        long from = outcome.confirmedThrough() + 1;
                        int parked = (int) batch.entries().stream()
                                .filter(e -> e.seq() >= from && e.seq() <= outcome.rejectedThrough()).count();
                        int dropped = outbox.park(from, outcome.rejectedThrough(), batch.id(), outcome.detail(), clock.instant());
                        metrics.add("cloud_dead_letters_total", parked);
                        if (dropped > 0) {
                            metrics.add("cloud_dropped_total", dropped, "reason", "dead_letter_overflow");
                        }
                        LOG.warn("cloud sync: {} records parked as dead letters ({})", parked, outcome.detail());
                        failures = 0;
                    }
                    case RETRY -> {
                        failures++;
                        metrics.increment("cloud_send_failures_total", "reason", outcome.reason());
                        Duration delay = config.backoff().delay(failures, ThreadLocalRandom.current()::nextDouble);
                        if (outcome.retryAfter().isPresent() && outcome.retryAfter().get().compareTo(delay) > 0) {
                            delay = outcome.retryAfter().get();
                        }
                        if (failures == 1) {
                            LOG.warn("cloud sync: send failed, retrying with backoff: {}", outcome.detail());
                        } else {
                            LOG.debug("cloud sync: send failed ({} in a row), next try in {}: {}", failures, delay,
                                    outcome.detail());
                        }
                        if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                            return;
                        }
                    }
                    default -> throw new IllegalStateException(outcome.status().toString());
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException e) {
                failures++;
                metrics.increment("cloud_send_failures_total", "reason", "outbox");
                LOG.warn("cloud sync: outbox failure: {}", e.toString());
                try {
                    if (closing.await(config.backoff().delay(failures, ThreadLocalRandom.current()::nextDouble).toMillis(),
                            TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ state

    /** Records in the outbox waiting to be sent (the {@code cloud_pending} gauge). */
    public long pending() {
        return outbox.pending();
    }

    /** Dead letters kept. */
    public long deadLetterCount() {
        return outbox.deadLetterCount();
    }

    /** The newest dead letters first, at most {@code limit}. */
    public List<DeadLetter> deadLetters(int limit) {
        return outbox.deadLetters(limit);
    }

    /**
     * Stops taking records, stores those already accepted, stops the drain (an unfinished batch is
     * sent again after the next start, under the same batch id) and closes the outbox.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closing.countDown();
        writer.interrupt();
        join(writer);
        drain.interrupt();
        join(drain);
        transport.close();
        outbox.close();
        LOG.info("Cloud sync stopped ({} records pending)", outbox.pending());
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(15).toMillis());
            if (t.isAlive()) {
                LOG.warn("cloud sync: {} still busy after 15 s", t.getName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
