package dev.fieldline.agent.federated;

import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.LocalTrainer;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.protocol.federated.UpdateBody;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.data.FashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's part in federated learning (docs/protocol.md §10, docs/agent.md): on a thread of its own
 * (low priority, one round at a time, so sampling and sending go on), it repeats {@code fl/join}; when a
 * task arrives it fetches the global weights chunk by chunk and checks their SHA-256, trains with
 * {@link LocalTrainer} on the device's own data, and uploads the delta in chunks, then waits for the
 * receipt. Over MQTT answers arrive through the uplink listener, over CoAP as responses: both land in
 * one bounded inbox.
 */
public final class FlParticipant implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FlParticipant.class);
    /** Largest chunk of an upload: keeps each chunk message below the protocol's 64 KiB payload limit. */
    static final int UPLOAD_CHUNK = 30_000;
    private static final int INBOX = 64;
    private static final int ATTEMPTS = 3;

    /** What the participant has done so far. */
    public record Stats(long joins, long roundsTrained, long accepted, long refused, int lastRound, String lastStatus) {
    }

    private final String deviceId;
    private final Uplink uplink;
    private final ParticipantConfig config;
    private final Dataset local;
    private final Clock clock;
    private final LocalTrainer trainer;
    private final FlCodec codec = new FlCodec();
    private final BlockingQueue<FlMessage> inbox = new ArrayBlockingQueue<>(INBOX);
    private final Thread thread;
    private final AtomicLong joins = new AtomicLong();
    private final AtomicLong trained = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile int lastRound;
    private volatile String lastStatus = "";
    private volatile boolean closed;
    private FlMessage.Task nextTask;

    public FlParticipant(String deviceId, Uplink uplink, ParticipantConfig config, Dataset local, Clock clock) {
        this.deviceId = deviceId;
        this.uplink = uplink;
        this.config = config;
        this.local = local;
        this.clock = clock;
        this.trainer = new LocalTrainer(FlModels.create(config.model(), 0));
        this.thread = new Thread(this::run, "fl-participant-" + deviceId);
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    /** The device's shard of Fashion-MNIST's training split, as the configuration says. */
    public static Dataset loadShard(ParticipantConfig c) {
        try {
            FashionMnist data = FashionMnist.load(c.data());
            int per = Math.min(c.examples(), data.train().count() / c.shards());
            return data.train().dataset(c.shard() * per, (c.shard() + 1) * per);
        } catch (IOException e) {
            throw new IllegalArgumentException("federated data " + c.data() + ": " + e.getMessage(), e);
        }
    }

    public void start() {
        thread.start();
        log.info("agent {}: federated participant started: model {}, {} local examples (shard {} of {})", deviceId,
                config.model(), local.count(), config.shard(), config.shards());
    }

    /** A federated downlink from the uplink listener (any thread). */
    public void received(FlMessage m) {
        if (!inbox.offer(m)) {
            log.debug("agent {}: federated inbox full, {} dropped", deviceId, m.kind().suffix());
        }
    }

    public Stats stats() {
        return new Stats(joins.get(), trained.get(), accepted.get(), refused.get(), lastRound, lastStatus);
    }

    private void send(FlMessage m) {
        uplink.sendFederated(m).whenComplete((answer, error) -> {
            if (error != null) {
                log.debug("agent {}: federated {} not sent: {}", deviceId, m.kind().suffix(), error.toString());
            } else {
                answer.ifPresent(this::received);
            }
        });
    }

    /** Sends and waits for the transport's acknowledgement (one chunk in flight); the answer, if any, goes to the inbox. */
    private boolean sendAndWait(FlMessage m) throws InterruptedException {
        try {
            uplink.sendFederated(m).get(config.timeout().toMillis(), TimeUnit.MILLISECONDS).ifPresent(this::received);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("agent {}: federated {} not acknowledged: {}", deviceId, m.kind().suffix(), e.toString());
            return false;
        }
    }

    private void run() {
        Instant nextJoin = clock.instant();
        while (!closed) {
            try {
                if (!clock.instant().isBefore(nextJoin)) {
                    if (uplink.isConnected()) {
                        joins.incrementAndGet();
                        send(new FlMessage.Join(deviceId, config.model(), trainer.layout().size(), clock.instant()));
                    }
                    nextJoin = clock.instant().plus(config.joinInterval());
                }
                FlMessage.Task task = nextTask;
                nextTask = null;
                if (task == null) {
                    long wait = Math.max(1, Duration.between(clock.instant(), nextJoin).toMillis());
                    FlMessage m = inbox.poll(wait, TimeUnit.MILLISECONDS);
                    if (m instanceof FlMessage.Task t) {
                        task = t;
                    }
                }
                if (task != null && task.round() > lastRound && clock.instant().isBefore(task.deadline())) {
                    take(task);
                    nextJoin = clock.instant();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("agent {}: federated round failed: {}", deviceId, e.toString());
            }
        }
    }

    /** One round: fetch, train, upload, receipt. */
    private void take(FlMessage.Task task) throws InterruptedException {
        int previous = lastRound;
        lastRound = task.round();
        log.debug("agent {}: round {} from version {}", deviceId, task.round(), task.version());
        Optional<float[]> global = fetch(task);
        if (global.isEmpty()) {
            lastStatus = "fetch_failed";
            lastRound = previous; // the task comes again with the next join, until its deadline
            log.info("agent {}: round {}: could not fetch the global weights", deviceId, task.round());
            return;
        }
        if (!config.slowdown().isZero()) {
            Thread.sleep(config.slowdown().toMillis()); // a slow board, in simulation
        }
        ClientUpdate update = trainer.train(deviceId, global.get(), local, TrainingPlan.fromMap(task.plan()));
        trained.incrementAndGet();
        byte[] body = codec.encodeBody(new UpdateBody(task.round(), update.examples(), update.metrics(), update.delta()),
                PayloadFormat.CBOR);
        byte[] digest = FlCodec.sha256(body);
        int n = (body.length + UPLOAD_CHUNK - 1) / UPLOAD_CHUNK;
        int len = (body.length + n - 1) / n;
        for (int attempt = 0; attempt < ATTEMPTS && !closed; attempt++) {
            for (int i = 0; i < n && !closed; i++) {
                byte[] part = Arrays.copyOfRange(body, i * len, Math.min(body.length, (i + 1) * len));
                if (!sendAndWait(new FlMessage.UpdateChunk(deviceId, task.round(), i, n, body.length, digest, part))) {
                    break; // the next attempt starts over
                }
            }
            Optional<FlMessage> receipt = await(m -> m instanceof FlMessage.Receipt r && r.round() == task.round(),
                    config.timeout().multipliedBy(2));
            if (receipt.isPresent()) {
                FlMessage.Receipt r = (FlMessage.Receipt) receipt.get();
                lastStatus = r.status();
                if (r.accepted()) {
                    accepted.incrementAndGet();
                } else {
                    refused.incrementAndGet();
                }
                log.info("agent {}: round {} update {}{} (local accuracy {})", deviceId, task.round(), r.status(),
                        r.reason().isEmpty() ? "" : ": " + r.reason(), update.metrics().get("accuracy"));
                return;
            }
        }
        lastStatus = "no_receipt";
        lastRound = previous; // the gateway may have restarted: the task comes again with the next join, until its deadline
    }

    private Optional<float[]> fetch(FlMessage.Task task) throws InterruptedException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(task.size());
        for (int i = 0; i < task.chunks(); i++) {
            int index = i;
            Optional<FlMessage> chunk = Optional.empty();
            for (int attempt = 0; attempt < ATTEMPTS && chunk.isEmpty() && !closed; attempt++) {
                send(new FlMessage.Fetch(task.version(), index));
                chunk = await(m -> m instanceof FlMessage.Chunk c && c.version() == task.version() && c.index() == index,
                        config.timeout());
            }
            if (chunk.isEmpty()) {
                return Optional.empty();
            }
            all.writeBytes(((FlMessage.Chunk) chunk.get()).data());
        }
        byte[] bytes = all.toByteArray();
        if (bytes.length != task.size() || !Arrays.equals(FlCodec.sha256(bytes), task.digest())) {
            log.warn("agent {}: round {}: the global weights do not match the task's size and digest", deviceId, task.round());
            return Optional.empty();
        }
        return Optional.of(FlCodec.bytesToFloats(bytes));
    }

    /** Waits for a matching message; a newer task is kept for later, anything else dropped. */
    private Optional<FlMessage> await(Predicate<FlMessage> wanted, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!closed) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            FlMessage m = inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                return Optional.empty();
            }
            if (wanted.test(m)) {
                return Optional.of(m);
            }
            if (m instanceof FlMessage.Task t && t.round() > lastRound) {
                nextTask = t;
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
