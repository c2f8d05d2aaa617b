package dev.fieldline.agent;

import dev.fieldline.agent.federated.FlParticipant;
import dev.fieldline.protocol.federated.FlMessage;

import dev.fieldline.agent.AgentException.Reason;
import dev.fieldline.agent.identity.DeviceCredentials;
import dev.fieldline.agent.identity.DeviceIdentity;
import dev.fieldline.agent.identity.Enrollment;
import dev.fieldline.agent.identity.IdentityException;
import dev.fieldline.agent.inference.EventPolicy;
import dev.fieldline.agent.inference.InferenceStage;
import dev.fieldline.agent.inference.InferenceStats;
import dev.fieldline.agent.inference.ModelRunner;
import dev.fieldline.agent.inference.Postprocessing;
import dev.fieldline.agent.hal.sim.SimBoard;
import dev.fieldline.agent.internal.BootCounter;
import dev.fieldline.agent.internal.CommandHandler;
import dev.fieldline.agent.internal.Counters;
import dev.fieldline.agent.internal.Hardware;
import dev.fieldline.agent.internal.SupervisedSensor;
import dev.fieldline.agent.internal.NamedThreads;
import dev.fieldline.agent.internal.Sampler;
import dev.fieldline.agent.internal.Sender;
import dev.fieldline.agent.internal.UplinkSecurity;
import dev.fieldline.agent.journal.TelemetryJournal;
import dev.fieldline.agent.models.CoapModelFetcher;
import dev.fieldline.agent.models.HttpModelFetcher;
import dev.fieldline.agent.models.ModelDelivery;
import dev.fieldline.agent.models.ModelFetcher;
import dev.fieldline.agent.models.ModelStore;
import dev.fieldline.protocol.model.ModelDeliveryException;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.agent.outbox.Outbox;
import dev.fieldline.agent.outbox.OutboxStats;
import dev.fieldline.agent.uplink.CoapUplink;
import dev.fieldline.agent.uplink.MqttUplink;
import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.agent.uplink.UplinkListener;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.config.ConfigException;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.cose.CoseSign1;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.time.Clock;
import java.time.Duration;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device agent: samples the board's sensors at an interval, sends telemetry through a durable
 * journal ({@code {dataDir}/journal}) to the gateway (MQTT or CoAP), answers downlink commands,
 * and sends heartbeats. Entries left in the journal by earlier boots are sent first, with their
 * original (bootId, seq). Start with {@link #start}; stop with {@link #close}.
 *
 * <p>Threads: {@code fl-agent-{id}} (sampling, commands, heartbeats), {@code fl-agent-sender-{id}}
 * (journal to uplink), {@code fl-agent-inference-{id}} (the board profile's models, when it has any), {@code fl-journal-sync-journal} (only under {@code journal.fsync: interval}), and the uplink's own ({@code fl-mqtt-{id}} / {@code fl-coap-{id}} plus the
 * transport library's).
 */
public final class Agent implements AutoCloseable {
    /** How long enrollment at start-up may take before the agent gives up. */
    private static final Duration ENROLL_TIMEOUT = Duration.ofSeconds(15);
    private final DeviceIdentity identity;
    private final Optional<DeviceCredentials> credentials;
    private final CoseSign1 cose = new CoseSign1();

    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    /** Platforms a HAL provider exists for. */
    public static final List<String> PLATFORMS = List.of(SimBoard.PLATFORM, BoardProfile.PI4J, BoardProfile.ESP32_BRIDGE);
    private static final Duration STOP_GRACE = Duration.ofSeconds(2);

    private final AgentConfig config;
    private final BoardProfile profile;
    private final long bootId;
    private final Clock clock = Clock.systemUTC();
    private final long startNanos = System.nanoTime();
    private final Hardware hardware;
    private final Optional<Hardware.Output> led;
    private final Outbox outbox;
    private final Counters counters = new Counters();
    private final AtomicLong seq = new AtomicLong();
    private final SenmlCodec senml = new SenmlCodec();
    private final MessageCodec messages = new MessageCodec();
    private final ScheduledExecutorService core;
    private final Sampler sampler;
    private final CommandHandler commands;
    private final Uplink uplink;
    private final Sender sender;
    private final InferenceStage inference;
    /** The federated-learning participant, when configured; null otherwise. */
    private final FlParticipant participant;
    private final ModelDelivery models;
    private final List<ModelDelivery.Report> restoredModels;
    private volatile boolean closed;

    private Agent(AgentConfig config, BoardProfile profile, long bootId, Hardware hardware, Outbox outbox,
            DeviceIdentity identity, Optional<DeviceCredentials> credentials) {
        this.config = config;
        this.identity = identity;
        this.credentials = credentials;
        this.outbox = outbox;
        this.profile = profile;
        this.bootId = bootId;
        this.hardware = hardware;
        this.led = hardware.outputs().values().stream().filter(o -> o.driver().equals("led")).findFirst();
        this.core = NamedThreads.scheduler("fl-agent-" + config.deviceId());
        this.sampler = new Sampler(core, config.samplingInterval().orElse(profile.samplingInterval()), this::sampleOnce);
        Map<String, CommandHandler.Switch> switches = new LinkedHashMap<>();
        hardware.outputs().forEach((name, o) -> switches.put(name, new CommandHandler.Switch(o.driver(), o.isOn(), o.set())));
        this.commands = new CommandHandler(switches, sampler::setInterval);
        this.uplink = createUplink(config, messages.encode(status(DeviceState.OFFLINE), config.payloadFormat()));
        UplinkSecurity.configure(uplink, config, identity, credentials);
        if (config.uplinkCommit() == AgentConfig.UplinkCommit.ACK_MESSAGE) {
            if (uplink instanceof MqttUplink mqtt) {
                mqtt.useAckMessages();
            }
            this.sender = Sender.awaitingAcks(config.deviceId(), outbox, uplink, config.reconnect(), config.replayRate(),
                    counters, config.ackTimeout(), Sender.DEFAULT_ACK_WINDOW);
        } else {
            this.sender = new Sender(config.deviceId(), outbox, uplink, config.reconnect(), config.replayRate(), counters);
        }
        this.participant = config.federated().map(f -> {
            if (uplink instanceof MqttUplink mqtt) {
                mqtt.useFederated();
            }
            return new FlParticipant(config.deviceId(), uplink, f, FlParticipant.loadShard(f), Clock.systemUTC());
        }).orElse(null);
        // last: it starts a thread, and nothing after it may fail
        this.inference = InferenceStage.start(config.inference() ? profile : profile.withoutModels(),
                NamedThreads.scheduler("fl-agent-inference-" + config.deviceId()), this::inferenceChanged);
        // delivered models replace the profile's before sampling starts; nothing after this may fail
        ModelFetcher fetcher = uplink instanceof CoapUplink coap ? new CoapModelFetcher(coap, MODEL_FETCH_TIMEOUT)
                : new HttpModelFetcher(MODEL_FETCH_TIMEOUT, credentials.map(c -> new String[] {c.deviceId(), c.token()}));
        this.models = new ModelDelivery(config.deviceId(), new ModelStore(config.dataDir()), gatewayKey(config), fetcher, inference);
        this.restoredModels = models.restore();
    }

    /** How long fetching a model's manifest or file may take. */
    private static final Duration MODEL_FETCH_TIMEOUT = Duration.ofSeconds(60);

    /** The gateway key from enrollment, which delivered models must be signed with. */
    private static Optional<java.security.PublicKey> gatewayKey(AgentConfig config) {
        try {
            return dev.fieldline.agent.identity.GatewayTrust.load(config.dataDir())
                    .map(dev.fieldline.agent.identity.GatewayTrust::gatewayPublicKey);
        } catch (IdentityException e) {
            log.warn("agent {}: no gateway key for model delivery: {}", config.deviceId(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Starts an agent: loads the board profile, opens its HAL provider, increments the boot
     * counter, opens the journal, starts sampling and connecting. Fails fast with an {@link AgentException} if the
     * board or configuration is unusable; does not fail if the gateway is unreachable (it keeps
     * sampling into the outbox and reconnects with backoff).
     */
    public static Agent start(AgentConfig config) {
        return start(config, HalEnvironment.HARDWARE);
    }

    /**
     * Starts an agent on the given lowest I/O layer: {@link HalEnvironment#HARDWARE} on a device, or
     * a simulation of it (Pi4J mock providers with emulated chips, a pty to a simulated ESP32, a
     * private D-Bus with a fake BlueZ) under which everything else runs as on the device.
     */
    public static Agent start(AgentConfig config, HalEnvironment env) {
        if (config == null || env == null) {
            throw new IllegalArgumentException("config and env must not be null");
        }
        BoardProfile profile = loadProfile(config.board());
        if (!PLATFORMS.contains(profile.platform())) {
            throw new AgentException(Reason.UNKNOWN_BOARD, "board '" + profile.name() + "' needs HAL platform '"
                    + profile.platform() + "', which this agent does not provide; available platforms: "
                    + String.join(", ", PLATFORMS));
        }
        try {
            config = config.withBoardDefaults(profile);
        } catch (IllegalArgumentException e) {
            throw new AgentException(Reason.INVALID_CONFIG, "board " + profile.name() + ": " + e.getMessage(), e);
        }
        profile.warnings().forEach(w -> log.warn("board profile: {}", w));
        checkHeap(profile);
        DeviceIdentity identity;
        try {
            identity = DeviceIdentity.loadOrCreate(config.dataDir());
        } catch (IdentityException e) {
            throw new AgentException(Reason.IDENTITY, e.getMessage(), e);
        }
        Optional<DeviceCredentials> credentials = Optional.empty();
        if (config.security().enrollUrl().isPresent()) {
            try {
                credentials = Optional.of(new Enrollment(config.security().enrollUrl().get(), ENROLL_TIMEOUT)
                        .ensureEnrolled(config.dataDir(), config.deviceId(), identity, config.security().enrollToken()));
            } catch (RuntimeException e) {
                throw new AgentException(Reason.ENROLLMENT, "device " + config.deviceId() + " could not enroll at "
                        + config.security().enrollUrl().get() + ": " + e.getMessage(), e);
            }
        }
        long bootId = BootCounter.next(config.dataDir());
        Outbox journal;
        try {
            journal = TelemetryJournal.open(config.dataDir().resolve("journal"), config.journal());
        } catch (UncheckedIOException e) {
            throw new AgentException(Reason.STORAGE, e.getMessage(), e);
        }
        Hardware hardware;
        Agent agent;
        try {
            hardware = Hardware.open(profile, config, env, bootId, Clock.systemUTC());
        } catch (RuntimeException e) {
            journal.close();
            throw e;
        }
        try {
            agent = new Agent(config, profile, bootId, hardware, journal, identity, credentials);
        } catch (RuntimeException e) {
            hardware.close();
            journal.close();
            throw e;
        }
        agent.begin();
        return agent;
    }

    /** Warns when the JVM may use more heap than the board is meant to give the agent. */
    private static void checkHeap(BoardProfile profile) {
        profile.limits().heapBytes().ifPresent(limit -> {
            long max = Runtime.getRuntime().maxMemory();
            if (max != Long.MAX_VALUE && max > limit + limit / 10) {
                log.warn("board {} is meant to give the agent {} MiB of heap, but this JVM may use {} MiB; start it with -Xmx{}m",
                        profile.name(), limit >> 20, max >> 20, limit >> 20);
            }
        });
    }

    private static BoardProfile loadProfile(String board) {
        try {
            return BoardProfiles.load(board);
        } catch (ConfigException e) {
            throw new AgentException(e.reason() == ConfigException.Reason.NOT_FOUND ? Reason.UNKNOWN_BOARD
                    : Reason.INVALID_CONFIG, e.getMessage(), e);
        }
    }

    private static Uplink createUplink(AgentConfig config, byte[] lastWill) {
        try {
            if (config.isMqtt()) {
                return new MqttUplink(config.uplink(), config.deviceId(), config.payloadFormat(), config.reconnect(),
                        config.maxInFlight(), lastWill);
            }
            return new CoapUplink(config.uplink(), config.deviceId(), config.payloadFormat(), config.reconnect(),
                    config.coapAckTimeout(), config.coapMaxRetransmit());
        } catch (IllegalArgumentException e) {
            throw new AgentException(Reason.UPLINK, e.getMessage(), e);
        }
    }

    private void begin() {
        core.execute(() -> restoredModels.forEach(this::modelEvent));
        sender.start();
        sampler.start();
        long hb = config.heartbeatInterval().toNanos();
        core.scheduleAtFixedRate(() -> sendStatus(DeviceState.ONLINE), hb, hb, TimeUnit.NANOSECONDS);
        uplink.start(new UplinkListener() {
            @Override
            public void connected() {
                core.execute(() -> sendStatus(DeviceState.ONLINE));
                sender.connected();
            }

            @Override
            public void disconnected(String cause) {
                sender.wake();
            }

            @Override
            public void command(Command command) {
                if (!closed) {
                    core.execute(() -> handle(command));
                }
            }

            @Override
            public void ack(Ack ack) {
                sender.acked(ack);
            }

            @Override
            public void federated(FlMessage message) {
                if (participant != null) {
                    participant.received(message);
                }
            }
        });
        if (participant != null) {
            participant.start();
        }
        log.info("agent {} started: boot {}, board {} ({}), uplink {}, sampling every {}", config.deviceId(), bootId,
                profile.name(), profile.platform(), uplink.describe(), sampler.interval());
        log.info("agent {}: uplink-commit {}", config.deviceId(),
                config.uplinkCommit() == AgentConfig.UplinkCommit.ACK_MESSAGE
                        ? "ack-message (journal entries leave on the gateway's ack; resent after " + config.ackTimeout() + ")"
                        : "transport (journal entries leave on the transport's acknowledgement)");
    }

    /** The sequence the next journaled message gets; consumed by {@link #journal} only if the journal takes it. */
    private Sequence nextSequence() {
        return new Sequence(bootId, seq.get() + 1);
    }

    /** Appends to the journal (core thread only); a refused message does not use up its sequence number. */
    private void journal(MessageKind kind, Sequence sequence, byte[] message) {
        byte[] payload = config.security().sign() ? cose.sign(message, identity.kid(), identity.privateKey()) : message;
        if (outbox.add(kind, sequence, payload)) {
            seq.set(sequence.seq());
        } else {
            log.debug("agent {}: {} {} refused by the journal (full)", config.deviceId(), kind.suffix(), sequence);
        }
    }

    private void sampleOnce() {
        if (outbox.samplingPaused()) {
            counters.samplesSkipped.incrementAndGet();
            return;
        }
        try {
            Instant now = clock.instant();
            List<Reading> readings = new ArrayList<>();
            for (SupervisedSensor s : hardware.sensors()) {
                for (Reading r : s.sample(now, sampler.interval())) {
                    readings.add(r);
                    if (r.value().orElse(null) instanceof Value.Num n) {
                        inference.offer(r.name(), n.value());
                    }
                }
            }
            for (Hardware.Output o : hardware.outputs().values()) {
                readings.add(Reading.of(o.name(), "", new Value.Bool(o.isOn().get()), now));
            }
            if (readings.isEmpty()) {
                log.debug("agent {}: nothing to report in this sample (every sensor faulted or not due)", config.deviceId());
                return;
            }
            Sequence sequence = nextSequence();
            byte[] payload = senml.encode(new Telemetry(config.deviceId(), sequence, readings), config.payloadFormat());
            journal(MessageKind.TELEMETRY, sequence, payload);
            counters.samples.incrementAndGet();
        } catch (RuntimeException e) {
            log.warn("agent {}: sampling failed: {}", config.deviceId(), e.toString());
        }
    }

    /** A model's result that calls for an event (inference thread): journaled on the core thread. */
    private void inferenceChanged(ModelRunner model, Postprocessing.Classification result, EventPolicy.Change change,
            String input, Duration latency) {
        Map<String, Value> attrs = new LinkedHashMap<>();
        attrs.put("label", new Value.Text(change.label()));
        attrs.put("confidence", new Value.Num(Math.round(result.confidence() * 10_000) / 10_000.0));
        attrs.put("class", new Value.Num(result.index()));
        attrs.put("change", new Value.Text(change.kind().name().toLowerCase(java.util.Locale.ROOT)));
        change.previous().ifPresent(p -> attrs.put("previous", new Value.Text(p)));
        attrs.put("threshold", new Value.Num(model.spec().threshold()));
        attrs.put("engine", new Value.Text(model.engine()));
        attrs.put("input", new Value.Text(input));
        attrs.put("latency_us", new Value.Num(latency.toNanos() / 1000));
        String confidence = String.format(java.util.Locale.ROOT, "%.2f", result.confidence());
        String message = switch (change.kind()) {
            case LABEL -> change.label() + " (confidence " + confidence + ")"
                    + change.previous().map(p -> ", was " + p).orElse("");
            case CONFIDENT -> change.label() + " again (confidence " + confidence + ")";
            case UNCERTAIN -> "uncertain: best guess " + change.label() + " at " + confidence + ", below "
                    + model.spec().threshold();
        };
        Severity severity = change.kind() == EventPolicy.Kind.UNCERTAIN ? Severity.INFO
                : Optional.ofNullable(model.spec().severities().get(change.label())).flatMap(Severity::fromCode)
                        .orElse(Severity.INFO);
        try {
            core.execute(() -> {
                Sequence sequence = nextSequence();
                Event event = new Event(config.deviceId(), sequence, clock.instant(), "inference", severity, model.name(),
                        message, attrs);
                journal(MessageKind.EVENT, sequence, messages.encode(event, config.payloadFormat()));
                log.debug("agent {}: inference {}: {}", config.deviceId(), model.name(), message);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("agent {}: inference event after stop dropped: {}", config.deviceId(), message);
        }
    }

    private void handle(Command command) {
        if (command.name().equals(ModelOffer.COMMAND)) {
            offerModel(command);
            return;
        }
        Optional<CommandHandler.Outcome> outcome = commands.handle(command);
        if (outcome.isEmpty()) {
            log.debug("agent {}: command {} already handled", config.deviceId(), command.id());
            return;
        }
        counters.commands.incrementAndGet();
        Sequence sequence = nextSequence();
        CommandResult result = new CommandResult(config.deviceId(), sequence, clock.instant(), command.id(),
                outcome.get().ok(), outcome.get().message());
        journal(MessageKind.COMMAND_RESULT, sequence, messages.encode(result, config.payloadFormat()));
        log.debug("agent {}: command {} {} -> {}", config.deviceId(), command.id(), command.name(), outcome.get());
    }

    /** A {@code model} offer: installed on the delivery thread, answered (result and event) when done. */
    private void offerModel(Command command) {
        if (!commands.firstTime(command)) {
            log.debug("agent {}: command {} already handled", config.deviceId(), command.id());
            return;
        }
        counters.commands.incrementAndGet();
        ModelOffer offer;
        try {
            offer = ModelOffer.fromArgs(command.args());
        } catch (ModelDeliveryException e) {
            result(command, false, "model offer refused (" + e.reason().code() + "): " + e.getMessage());
            return;
        }
        models.offer(offer).whenComplete((report, e) -> {
            if (closed) {
                return;
            }
            try {
                core.execute(() -> {
                    if (e != null) {
                        result(command, false, "model " + offer.name() + " v" + offer.version() + " failed: " + e);
                        return;
                    }
                    modelEvent(report);
                    result(command, report.ok(), report.message());
                });
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                log.debug("agent {}: model report after stop dropped", config.deviceId());
            }
        });
    }

    private void result(Command command, boolean ok, String message) {
        Sequence sequence = nextSequence();
        String text = message.length() > 1000 ? message.substring(0, 1000) + "..." : message;
        journal(MessageKind.COMMAND_RESULT, sequence, messages.encode(new CommandResult(config.deviceId(), sequence, clock.instant(),
                command.id(), ok, text), config.payloadFormat()));
    }

    /** A {@code model} event: what happened to a delivered version (core thread). */
    private void modelEvent(ModelDelivery.Report r) {
        Map<String, Value> attrs = new LinkedHashMap<>();
        attrs.put("model", new Value.Text(r.name()));
        attrs.put("version", new Value.Num(r.version()));
        attrs.put("outcome", new Value.Text(r.outcome().code()));
        r.reason().ifPresent(x -> attrs.put("reason", new Value.Text(x.code())));
        attrs.put("running", new Value.Num(r.running()));
        r.timings().forEach((k, v) -> attrs.put(k, new Value.Num(v)));
        String text = r.message().length() > 1000 ? r.message().substring(0, 1000) + "..." : r.message();
        Sequence sequence = nextSequence();
        journal(MessageKind.EVENT, sequence, messages.encode(new Event(config.deviceId(), sequence, clock.instant(), ModelOffer.EVENT,
                r.ok() ? Severity.INFO : Severity.WARNING, r.name(), text, attrs), config.payloadFormat()));
    }

    /** The delivered model versions this agent runs, by model name. */
    public Map<String, Long> deliveredModels() {
        return models.running();
    }

    private Status status(DeviceState state) {
        AgentStats s = stats();
        Map<String, Long> ctr = new LinkedHashMap<>();
        ctr.put("sent", s.sent());
        ctr.put("acked", s.acked());
        ctr.put("failed", s.failed());
        ctr.put("rejected", s.rejected());
        ctr.put("dropped", s.dropped());
        ctr.put("queued", (long) s.queued());
        ctr.put("queued_bytes", s.queuedBytes());
        ctr.put("journal_dropped_oldest", s.droppedOldest());
        ctr.put("journal_dropped_newest", s.droppedNewest());
        ctr.put("journal_write_failures", s.journalWriteFailures());
        ctr.put("journal_corrupt_records", s.journalCorruptRecords());
        ctr.put("samples_skipped", s.samplesSkipped());
        ctr.put("replayed", s.replayed());
        ctr.put("reconnects", s.reconnects());
        ctr.put("commands", s.commands());
        ctr.put("acks_received", s.acksReceived());
        ctr.put("resent", s.resent());
        ctr.put("ack_timeouts", s.ackTimeouts());
        ctr.put("connect_timeouts", s.connectTimeouts());
        ctr.put("subscribe_timeouts", s.subscribeTimeouts());
        // inference stays inside the protocol's 32 counters: all models together
        InferenceStage stage = inference;
        if (stage != null && !stage.isEmpty()) {
            long invocations = 0;
            long meanWeighted = 0;
            long skipped = 0;
            long errors = 0;
            long events = 0;
            for (InferenceStats i : stage.stats()) {
                invocations += i.invocations();
                meanWeighted += i.meanLatency().toNanos() / 1000 * i.invocations();
                skipped += i.skipped();
                errors += i.errors();
                events += i.events();
            }
            ctr.put("inference_invocations", invocations);
            ctr.put("inference_latency_last_us", stage.lastLatency().toNanos() / 1000);
            ctr.put("inference_latency_mean_us", invocations == 0 ? 0 : meanWeighted / invocations);
            ctr.put("inference_skipped", skipped);
            ctr.put("inference_errors", errors);
            ctr.put("inference_events", events);
        }
        List<SensorHealth> health = new ArrayList<>();
        Hardware hw = hardware;
        if (hw != null) {
            long faulted = 0;
            long faults = 0;
            long retries = 0;
            for (SupervisedSensor sensor : hw.sensors()) {
                SensorHealth h = sensor.health();
                faulted += h.state() == SensorHealth.State.FAULTED ? 1 : 0;
                faults += sensor.faults();
                retries += sensor.totalRetries();
                if (health.size() < SensorHealth.MAX_PER_STATUS) {
                    health.add(h);
                }
            }
            ctr.put("sensors_faulted", faulted);
            ctr.put("sensor_faults", faults);
            ctr.put("sensor_retries", retries);
        }
        Runtime rt = Runtime.getRuntime();
        return new Status(config.deviceId(), bootId, clock.instant(), state, uptime(),
                rt.totalMemory() - rt.freeMemory(), s.samples(), ctr, health);
    }

    private CompletableFuture<Void> sendStatus(DeviceState state) {
        if (!uplink.isConnected()) {
            return CompletableFuture.completedFuture(null);
        }
        return uplink.send(MessageKind.STATUS, messages.encode(status(state), config.payloadFormat()))
                .whenComplete((ok, e) -> {
                    if (e != null) {
                        log.debug("agent {}: status not sent: {}", config.deviceId(), e.toString());
                    }
                });
    }

    /** Time since start. */
    /** The device key's id (hex), as enrolled at the gateway. */
    public String keyId() {
        return identity.kidHex();
    }

    /** True once the agent holds enrollment credentials. */
    public boolean enrolled() {
        return credentials.isPresent();
    }

    public Duration uptime() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * Takes {@code samples} samples back to back, on the sampling thread, as fast as the board and
     * the journal allow (a load test, or catching up after a pause); regular sampling carries on
     * afterwards. The returned future completes with the number actually journaled (samples skipped
     * because the journal was full under {@code stop-sampling}, or refused by it, are not counted).
     */
    public CompletableFuture<Long> burst(int samples) {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, was " + samples);
        }
        CompletableFuture<Long> done = new CompletableFuture<>();
        core.execute(() -> {
            long before = seq.get();
            try {
                for (int i = 0; i < samples && !closed; i++) {
                    sampleOnce();
                }
                done.complete(seq.get() - before);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    public AgentStats stats() {
        // the uplink is null only while the constructor builds the last will
        Uplink u = uplink;
        OutboxStats o = outbox.stats();
        return new AgentStats(counters.samples.get(), counters.sent.get(), counters.acked.get(),
                counters.failed.get(), counters.rejected.get(), o.dropped(), o.droppedOldest(), o.droppedNewest(),
                o.entries(), o.bytes(), o.writeFailures(), o.corruptRecords(), counters.samplesSkipped.get(),
                counters.replayed.get(), u == null ? 0 : u.reconnects(), counters.commands.get(),
                u != null && u.isConnected(), counters.acksReceived.get(), counters.resent.get(),
                counters.ackTimeouts.get(), u == null ? 0 : u.connectTimeouts(), u == null ? 0 : u.subscribeTimeouts());
    }

    public String deviceId() {
        return config.deviceId();
    }

    public long bootId() {
        return bootId;
    }

    public AgentConfig config() {
        return config;
    }

    public BoardProfile profile() {
        return profile;
    }

    /** The current sampling interval (changed by the {@code interval} command). */
    public Duration samplingInterval() {
        return sampler.interval();
    }

    /** What the federated participant has done, when the agent takes part in federated learning. */
    public Optional<FlParticipant.Stats> federatedStats() {
        return Optional.ofNullable(participant).map(FlParticipant::stats);
    }

    /** Each model's inference counters (empty when the board profile has no models). */
    public List<InferenceStats> inferenceStats() {
        return inference.stats();
    }

    /** The LED's state, if the board has one. */
    public Optional<Boolean> ledOn() {
        return led.map(o -> o.isOn().get());
    }

    /** The name of the LED's readings, if the board has one. */
    public Optional<String> ledName() {
        return led.map(Hardware.Output::name);
    }

    /** Each output (LED, relay) by name and whether it is on (energised). */
    public Map<String, Boolean> outputs() {
        Map<String, Boolean> out = new LinkedHashMap<>();
        hardware.outputs().forEach((name, o) -> out.put(name, o.isOn().get()));
        return out;
    }

    /** Each sensor's health: ok, or faulted with reason, since and retries. */
    public List<SensorHealth> sensorHealth() {
        return hardware.sensors().stream().map(SupervisedSensor::health).toList();
    }

    /** The simulated board, when the profile's platform is {@code sim} (to press its button in demos and tests). */
    public Optional<SimBoard> simBoard() {
        return hardware.board() instanceof SimBoard s ? Optional.of(s) : Optional.empty();
    }

    /** The board the agent drives (its HAL provider). */
    public dev.fieldline.agent.hal.Board board() {
        return hardware.board();
    }

    /**
     * Stops the agent: sampling and heartbeats stop, the outputs go to their safe state (LEDs off,
     * relays as the profile says, released by default), messages
     * still queued get up to 2 s to be acknowledged, an OFFLINE status is sent if connected, and
     * every thread is stopped.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        sampler.stop();
        if (participant != null) {
            participant.close();
        }
        models.close();
        inference.close(STOP_GRACE);
        core.shutdown();
        try {
            if (!core.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                core.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            core.shutdownNow();
        }
        hardware.safeState();
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        while (uplink.isConnected() && outbox.size() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (uplink.isConnected()) {
            try {
                sendStatus(DeviceState.OFFLINE).get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                log.debug("agent {}: OFFLINE status not acknowledged: {}", config.deviceId(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        sender.close();
        uplink.close();
        outbox.close();
        hardware.close();
        log.info("agent {} stopped: {}", config.deviceId(), stats());
    }
}
