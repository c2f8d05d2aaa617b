package dev.fieldline.gateway.federated;

import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.Strategies;
import dev.fieldline.federated.Strategy;
import dev.fieldline.federated.UpdateRejected;
import dev.fieldline.federated.UpdateValidator;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.protocol.federated.UpdateBody;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.Trainer;
import dev.fieldline.training.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's federated-learning round service: drives a {@link RoundCoordinator} from the gateway
 * clock over the device protocol's federated messages (docs/protocol.md §10).
 *
 * <ul>
 *   <li>Devices that sent {@code fl/join} for the configured model within the join timeout are
 *       available; when at least {@code min-clients} are, a round starts and each sampled device gets
 *       its task (pushed over MQTT; a CoAP device, and an MQTT device that missed it, gets it as the
 *       answer to its next join).</li>
 *   <li>Devices fetch the global weights chunk by chunk and upload their update in chunks. An upload
 *       whose declared size exceeds what the model's update can be is refused at its first chunk,
 *       before anything is buffered; a complete upload is checked against its SHA-256, decoded and
 *       validated ({@link UpdateValidator}). Refusals are counted in
 *       {@code fl_updates_rejected_total{reason}}, logged, and the round goes on.</li>
 *   <li>The round closes when every sampled device has answered or at the deadline: it aggregates
 *       with at least {@code min-updates} accepted updates, else it is abandoned; the next starts
 *       after the pause.</li>
 *   <li>Everything is persisted ({@link SqliteRoundStore}) as it happens; a restarted gateway resumes
 *       the open round with the updates it had accepted.</li>
 * </ul>
 *
 * Transports call {@link #receive} from their threads; the round clock runs on one thread of its own.
 * Counters: {@code fl_rounds_total{outcome}}, {@code fl_updates_accepted_total},
 * {@code fl_updates_rejected_total{reason}}, {@code fl_messages_refused_total{kind,reason}},
 * {@code fl_chunks_served_total}; gauges {@code fl_global_version}, {@code fl_available_devices}.
 */
public final class FederatedService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FederatedService.class);
    static final Duration TICK = Duration.ofMillis(100);

    private final FederatedConfig config;
    private final SqliteRoundStore store;
    private final Metrics metrics;
    private final Clock clock;
    private final FlCodec codec = new FlCodec();
    private final String strategySpec;
    private final Strategy strategy;
    private final WeightLayout layout;
    private final UpdateValidator validator;
    private final RoundCoordinator coordinator;
    private final int maxBodyBytes;
    private final Optional<Dataset> evaluation;
    private final Map<String, Instant> joined = new ConcurrentHashMap<>();
    private final List<FederatedTransport> transports = new CopyOnWriteArrayList<>();
    private final List<GlobalModelListener> listeners = new CopyOnWriteArrayList<>();
    /** Uploads in progress, by device; guarded by this. */
    private final Map<String, Assembly> uploads = new HashMap<>();
    /** Devices that answered the open round (accepted or refused); guarded by this. */
    private final java.util.Set<String> answered = new java.util.HashSet<>();
    private final ScheduledExecutorService ticker;
    /** The current global weights on the wire and their digest; guarded by this. */
    private byte[] weights;
    private byte[] digest;
    private Instant nextStart;
    private int roundsRun;
    private boolean stopped;

    private FederatedService(FederatedConfig config, SqliteRoundStore store, Metrics metrics, Clock clock) {
        this.config = config;
        this.store = store;
        this.metrics = metrics;
        this.clock = clock;
        this.strategySpec = config.strategy();
        this.strategy = Strategies.create(strategySpec);
        Sequential model = FlModels.create(config.model(), config.seed());
        this.layout = WeightLayout.of(model);
        this.validator = new UpdateValidator(layout, config.maxNorm(), UpdateValidator.DEFAULT_MAX_EXAMPLES);
        this.coordinator = new RoundCoordinator(config.coordinatorConfig(), strategy, validator, layout.read(model));
        this.maxBodyBytes = FlCodec.maxBodyBytes(layout.size());
        this.evaluation = config.evaluationData().map(this::evaluationSet);
        this.nextStart = clock.instant();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fl-rounds");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the service on the gateway's database and resumes what it holds (the same model and
     * strategy; a different one starts afresh from version 0 and says so), then starts the round clock.
     */
    public static FederatedService start(FederatedConfig config, Path dbFile, Metrics metrics, Clock clock) {
        FederatedService s = open(config, dbFile, metrics, clock);
        s.ticker.scheduleWithFixedDelay(s::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return s;
    }

    /** Opens and resumes without starting the round clock: {@link #tick} drives it (tests). */
    static FederatedService open(FederatedConfig config, Path dbFile, Metrics metrics, Clock clock) {
        SqliteRoundStore store = SqliteRoundStore.open(dbFile);
        try {
            FederatedService s = new FederatedService(config, store, metrics, clock);
            s.resume();
            return s;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private Dataset evaluationSet(Path dir) {
        try {
            FashionMnist data = FashionMnist.load(dir);
            int n = Math.min(config.evaluationCount(), data.test().count());
            return data.test().dataset(0, n);
        } catch (IOException e) {
            throw new IllegalArgumentException("evaluation data " + dir + ": " + e.getMessage(), e);
        }
    }

    private synchronized void resume() {
        Optional<SqliteRoundStore.Saved> saved = store.load();
        if (saved.isPresent() && saved.get().model().equals(config.model()) && saved.get().strategy().equals(strategySpec)
                && saved.get().snapshot().global().length == layout.size()) {
            coordinator.restore(saved.get().snapshot());
            saved.get().snapshot().received().forEach(u -> answered.add(u.clientId()));
            answered.addAll(saved.get().snapshot().rejected().keySet());
            RoundCoordinator.RoundPlan open = coordinator.open();
            log.info("federated learning resumed: model {} version {}, {}", config.model(), coordinator.version(),
                    open == null ? "no round open" : "round " + open.round() + " open with "
                            + saved.get().snapshot().received().size() + " of " + open.selected().size() + " updates");
        } else {
            if (saved.isPresent()) {
                log.warn("federated learning: the saved model ({} with {}) differs from the configured one ({} with {});"
                        + " starting again from version 0", saved.get().model(), saved.get().strategy(), config.model(),
                        strategySpec);
            }
            store.saveModel(config.model(), strategySpec, coordinator.snapshot(), clock.instant());
            log.info("federated learning started: model {} ({} values), strategy {}", config.model(), layout.size(),
                    strategySpec);
        }
        refreshWeights();
        metrics.gauge("fl_global_version", () -> version());
        metrics.gauge("fl_available_devices", () -> available(clock.instant()).size());
    }

    public void register(FederatedTransport transport) {
        transports.add(transport);
    }

    public void addListener(GlobalModelListener listener) {
        listeners.add(listener);
    }

    public FederatedConfig config() {
        return config;
    }

    public WeightLayout layout() {
        return layout;
    }

    public synchronized int version() {
        return coordinator.version();
    }

    /** The current global weights (a copy). */
    public synchronized float[] global() {
        return coordinator.global();
    }

    /** The open round, if any. */
    public synchronized Optional<RoundCoordinator.RoundPlan> openRound() {
        return Optional.ofNullable(coordinator.open());
    }

    /** Devices that can take part now (joined within the join timeout), sorted. */
    public List<String> availableDevices() {
        return available(clock.instant());
    }

    public SqliteRoundStore rounds() {
        return store;
    }

    // ------------------------------------------------------------------ from transports

    /**
     * Decodes and handles one federated uplink from {@code deviceId}; returns the answer (a task for a
     * join, a chunk for a fetch, a receipt for an upload's last chunk or a refused chunk), if any.
     *
     * @throws DecodeException if the message is refused by the decoder (counted in {@code fl_messages_refused_total})
     */
    public Optional<FlMessage> receive(String deviceId, FlKind kind, byte[] payload, PayloadFormat format) {
        if (!kind.isUplink()) {
            throw new IllegalArgumentException(kind + " is not an uplink");
        }
        FlMessage m;
        try {
            m = codec.decode(kind, deviceId, payload, format);
        } catch (DecodeException e) {
            metrics.increment("fl_messages_refused_total", "kind", kind.suffix(), "reason", e.reason().code());
            if (kind == FlKind.UPDATE) {
                refuse(deviceId, "malformed", UpdateRejected.Reason.MALFORMED, "update chunk refused: " + e.getMessage());
            }
            throw e;
        }
        return handle(deviceId, m);
    }

    /** Handles a decoded uplink (CoAP builds fetches from its query). */
    public Optional<FlMessage> handle(String deviceId, FlMessage m) {
        if (m instanceof FlMessage.Join j) {
            return join(j);
        }
        if (m instanceof FlMessage.Fetch f) {
            return chunk(f);
        }
        if (m instanceof FlMessage.UpdateChunk u) {
            return upload(u);
        }
        throw new IllegalArgumentException(m.kind() + " is not an uplink");
    }

    private synchronized Optional<FlMessage> join(FlMessage.Join j) {
        if (!j.model().equals(config.model()) || j.size() != layout.size()) {
            metrics.increment("fl_messages_refused_total", "kind", FlKind.JOIN.suffix(), "reason", "other_model");
            log.debug("fl/join from {} for model {} ({} values) ignored: this gateway trains {} ({} values)", j.deviceId(),
                    j.model(), j.size(), config.model(), layout.size());
            return Optional.empty();
        }
        joined.put(j.deviceId(), clock.instant());
        return pendingTask(j.deviceId());
    }

    /** The open round's task if the device is sampled and has not answered yet. */
    private Optional<FlMessage> pendingTask(String deviceId) {
        RoundCoordinator.RoundPlan open = coordinator.open();
        if (open == null || !open.selected().contains(deviceId) || answered(deviceId)) {
            return Optional.empty();
        }
        return Optional.of(task(open));
    }

    private boolean answered(String deviceId) {
        return answered.contains(deviceId);
    }

    private FlMessage.Task task(RoundCoordinator.RoundPlan open) {
        return new FlMessage.Task(open.round(), config.model(), open.version(), open.plan().toMap(), open.deadline(), digest,
                weights.length, config.chunkSize());
    }

    private synchronized Optional<FlMessage> chunk(FlMessage.Fetch f) {
        int count = (weights.length + config.chunkSize() - 1) / config.chunkSize();
        if (f.version() != coordinator.version() || f.index() >= count) {
            metrics.increment("fl_messages_refused_total", "kind", FlKind.FETCH.suffix(), "reason", "not_found");
            return Optional.empty();
        }
        int from = f.index() * config.chunkSize();
        int to = Math.min(weights.length, from + config.chunkSize());
        metrics.increment("fl_chunks_served_total");
        return Optional.of(new FlMessage.Chunk(f.version(), f.index(), count, Arrays.copyOfRange(weights, from, to)));
    }

    /** One chunk of an upload being reassembled. */
    private static final class Assembly {
        final int round;
        final int count;
        final int size;
        final byte[] digest;
        final byte[] buffer;
        final BitSet got;

        Assembly(FlMessage.UpdateChunk first) {
            round = first.round();
            count = first.count();
            size = first.size();
            digest = first.digest();
            buffer = new byte[size];
            got = new BitSet(count);
        }

        boolean sameUpload(FlMessage.UpdateChunk c) {
            return c.round() == round && c.count() == count && c.size() == size && Arrays.equals(c.digest(), digest);
        }
    }

    private synchronized Optional<FlMessage> upload(FlMessage.UpdateChunk c) {
        String device = c.deviceId();
        RoundCoordinator.RoundPlan open = coordinator.open();
        if (open == null || c.round() != open.round()) {
            String status = open != null && c.round() < open.round() || open == null && c.round() <= coordinator.snapshot().lastRound()
                    ? "late" : "no_round";
            metrics.increment("fl_updates_refused_total", "status", status);
            return Optional.of(new FlMessage.Receipt(c.round(), status, "round " + c.round() + " is not open"));
        }
        if (!open.selected().contains(device)) {
            metrics.increment("fl_updates_refused_total", "status", "not_selected");
            return Optional.of(new FlMessage.Receipt(c.round(), "not_selected", device + " was not sampled for round " + c.round()));
        }
        if (answered(device)) {
            return Optional.of(new FlMessage.Receipt(c.round(), "duplicate", "already answered in round " + c.round()));
        }
        if (coordinator.pastDeadline(clock.instant())) {
            metrics.increment("fl_updates_refused_total", "status", "late");
            return Optional.of(new FlMessage.Receipt(c.round(), "late", "the deadline " + open.deadline() + " has passed"));
        }
        if (c.size() > maxBodyBytes) {
            uploads.remove(device);
            return Optional.of(refuse(device, "too_large", UpdateRejected.Reason.MALFORMED, "update of " + c.size()
                    + " bytes declared, an update of this model is at most " + maxBodyBytes));
        }
        Assembly a = uploads.get(device);
        if (a == null || !a.sameUpload(c)) {
            if (a != null) {
                log.debug("fl: {} restarted its upload for round {}", device, c.round());
            }
            a = new Assembly(c);
            uploads.put(device, a);
        }
        int chunkLen = (int) ((a.size + (long) a.count - 1) / a.count);
        int from = c.index() * chunkLen;
        int expected = Math.min(chunkLen, a.size - from);
        if (expected <= 0 || c.data().length != expected) {
            uploads.remove(device);
            return Optional.of(refuse(device, "malformed", UpdateRejected.Reason.MALFORMED, "chunk " + c.index() + " of "
                    + a.count + " holds " + c.data().length + " bytes, expected " + Math.max(expected, 0)));
        }
        System.arraycopy(c.data(), 0, a.buffer, from, expected);
        a.got.set(c.index());
        if (a.got.cardinality() < a.count) {
            return Optional.empty();
        }
        uploads.remove(device);
        if (!Arrays.equals(FlCodec.sha256(a.buffer), a.digest)) {
            return Optional.of(refuse(device, "malformed", UpdateRejected.Reason.MALFORMED, "SHA-256 of the update does not"
                    + " match its digest"));
        }
        UpdateBody body;
        try {
            body = codec.decodeBody(a.buffer, PayloadFormat.CBOR, layout.size());
        } catch (DecodeException e) {
            return Optional.of(refuse(device, "malformed", UpdateRejected.Reason.MALFORMED, "update body refused: "
                    + e.getMessage()));
        }
        if (body.round() != c.round()) {
            return Optional.of(refuse(device, "malformed", UpdateRejected.Reason.MALFORMED, "update body is for round "
                    + body.round() + ", its chunks for " + c.round()));
        }
        ClientUpdate update = new ClientUpdate(device, body.delta(), body.examples(), body.metrics());
        try {
            validator.check(update);
        } catch (UpdateRejected e) {
            coordinator.submit(c.round(), update, clock.instant()); // records the refusal against the device
            answered.add(device);
            store.rejected(c.round(), coordinator.snapshot().rejected());
            metrics.increment("fl_updates_rejected_total", "reason", e.reason().label());
            log.info("fl round {}: update of {} rejected ({}): {}", c.round(), device, e.reason().label(), e.getMessage());
            return Optional.of(new FlMessage.Receipt(c.round(), "rejected", e.reason().label() + ": " + e.getMessage()));
        }
        RoundCoordinator.Submission s = coordinator.submit(c.round(), update, clock.instant());
        if (s != RoundCoordinator.Submission.ACCEPTED) {
            return Optional.of(new FlMessage.Receipt(c.round(), s.name().toLowerCase(java.util.Locale.ROOT), ""));
        }
        answered.add(device);
        store.accepted(c.round(), update, clock.instant());
        metrics.increment("fl_updates_accepted_total");
        log.debug("fl round {}: update of {} accepted ({} examples)", c.round(), device, body.examples());
        return Optional.of(new FlMessage.Receipt(c.round(), "accepted", ""));
    }

    /** Refuses an upload that cannot be decoded or is too large: counted against the device in the open round. */
    private synchronized FlMessage.Receipt refuse(String device, String label, UpdateRejected.Reason reason, String why) {
        RoundCoordinator.RoundPlan open = coordinator.open();
        int round = open == null ? 0 : open.round();
        uploads.remove(device);
        coordinator.rejectUndecodable(device, reason);
        if (open != null && open.selected().contains(device)) {
            answered.add(device);
        }
        if (open != null) {
            store.rejected(round, coordinator.snapshot().rejected());
        }
        metrics.increment("fl_updates_rejected_total", "reason", label);
        log.info("fl round {}: update of {} rejected ({}): {}", round, device, label, why);
        return new FlMessage.Receipt(round, "rejected", label + ": " + why);
    }

    // ------------------------------------------------------------------ the round clock

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("federated round clock failed; retrying", e);
        }
    }

    /** One step of the round clock: close the open round if it is done, or start the next when it is time. */
    synchronized void tick() {
        if (stopped) {
            return;
        }
        Instant now = clock.instant();
        RoundCoordinator.RoundPlan open = coordinator.open();
        if (open != null) {
            if (coordinator.allAnswered() || coordinator.pastDeadline(now)) {
                close(now);
            }
            return;
        }
        if (now.isBefore(nextStart) || (config.rounds() > 0 && roundsRun >= config.rounds())) {
            return;
        }
        List<String> available = available(now);
        RoundCoordinator.RoundPlan plan = coordinator.start(available, now);
        if (plan == null) {
            return;
        }
        answered.clear();
        store.opened(config.model(), strategySpec, coordinator.snapshot());
        metrics.increment("fl_rounds_started_total");
        log.info("fl round {} started: {} of {} available devices sampled, version {}, deadline {}", plan.round(),
                plan.selected().size(), available.size(), plan.version(), plan.deadline());
        FlMessage.Task task = task(plan);
        for (String device : plan.selected()) {
            for (FederatedTransport t : transports) {
                if (t.send(device, task)) {
                    break;
                }
            }
        }
    }

    private List<String> available(Instant now) {
        Instant since = now.minus(config.joinTimeout());
        return joined.entrySet().stream().filter(e -> e.getValue().isAfter(since)).map(Map.Entry::getKey).sorted().toList();
    }

    private void close(Instant now) {
        RoundCoordinator.RoundResult r = coordinator.close();
        uploads.clear();
        answered.clear();
        roundsRun++;
        Map<String, Double> m = new LinkedHashMap<>(r.metrics());
        if (r.outcome() == RoundCoordinator.Outcome.AGGREGATED) {
            evaluation.ifPresent(data -> m.put("global_accuracy", evaluate(data)));
        }
        store.closed(r, m, config.model(), strategySpec, coordinator.snapshot(), now);
        metrics.increment("fl_rounds_total", "outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT));
        nextStart = now.plus(config.pause());
        if (r.outcome() == RoundCoordinator.Outcome.ABANDONED) {
            log.info("fl round {} abandoned: {}", r.round(), r.reason());
            return;
        }
        refreshWeights();
        log.info("fl round {} aggregated: version {}, {} of {} devices contributed ({} examples), {} rejected, metrics {}",
                r.round(), r.version(), r.contributors().size(), r.selected().size(), r.examples(), r.rejected().size(), m);
        float[] g = coordinator.global();
        for (GlobalModelListener l : listeners) {
            try {
                l.aggregated(config.model(), r.version(), r.round(), layout, g.clone(), Map.copyOf(m));
            } catch (RuntimeException e) {
                log.warn("global model listener {} failed for version {}", l.getClass().getSimpleName(), r.version(), e);
            }
        }
    }

    private double evaluate(Dataset data) {
        Sequential model = FlModels.create(config.model(), config.seed());
        layout.write(model, coordinator.global());
        return Trainer.accuracy(model, data);
    }

    private void refreshWeights() {
        weights = FlCodec.floatsToBytes(coordinator.global());
        digest = FlCodec.sha256(weights);
    }

    /** Stops the round clock; an open round stays open in the store and resumes at the next start. */
    @Override
    public void close() {
        synchronized (this) {
            stopped = true;
        }
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        log.info("federated learning stopped at version {}", coordinator.version());
    }
}
