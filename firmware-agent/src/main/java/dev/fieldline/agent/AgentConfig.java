package dev.fieldline.agent;

import dev.fieldline.agent.federated.ParticipantConfig;

import dev.fieldline.agent.hal.sim.SimParameters;
import dev.fieldline.agent.journal.JournalConfig;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.config.Backoff;
import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigKey;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.PayloadFormat;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Everything the agent needs to start. Immutable; build it with {@link #builder(String)} or load
 * it from YAML with {@link #load(Path)}. {@link #describe()} prints every key with its type,
 * default, unit and description.
 *
 * <pre>
 * device-id: greenhouse-1
 * board: sim
 * uplink: tcp://127.0.0.1:1883      # or coap://127.0.0.1:5683, ssl://gateway:8883, coaps://gateway:5684
 * payload-format: cbor
 * sampling-interval: 1s
 * heartbeat-interval: 10s
 * reconnect: {initial: 500ms, max: 30s, jitter: 0.2}
 * sim: {seed: 7, base-temperature: 22.5, noise: 0.1}
 * journal: {max-size: 64MiB, overflow: drop-oldest, fsync: batch, replay-rate: 200}
 * uplink-commit: transport          # ack-message behind an external MQTT broker
 * ack-timeout: 30s
 * inference: true                   # run the board profile's models (false: sample only)
 * </pre>
 *
 * @param deviceId the device identifier (also the MQTT client id)
 * @param board board profile: a stock name ({@code sim}) or a YAML file path
 * @param dataDir directory for the boot counter and the journal ({@code journal/})
 * @param uplink gateway address: {@code tcp://host:port} (MQTT), {@code ssl://host:port} (MQTT over TLS),
 *     {@code coap://host:port} (CoAP) or {@code coaps://host:port} (CoAP over DTLS)
 * @param payloadFormat encoding of uplink messages
 * @param samplingInterval time between samples; empty means the board profile's default
 * @param heartbeatInterval time between ONLINE status heartbeats
 * @param journal the durable outbox: segment size, size bound, fsync and overflow policies
 * @param replayRate most backlog messages per second sent after a (re)connect
 * @param maxInFlight most unacknowledged MQTT publishes at once
 * @param reconnect backoff between connection attempts
 * @param coapAckTimeout CoAP initial ACK timeout
 * @param coapMaxRetransmit CoAP retransmissions before an exchange times out
 * @param sim parameters of the simulated board
 * @param security signing and enrollment
 * @param uplinkCommit what makes the agent forget a sent message: the transport's acknowledgement
 *     (our gateway's PUBACK, the CoAP response) or, behind an external MQTT broker, the gateway's ack message
 * @param ackTimeout under {@code ack-message}: how long a sent message may wait for its ack before it is sent again
 * @param coapDtls how a {@code coaps://} uplink authenticates: the device PSK or its raw public key
 * @param inference whether to run the board profile's models (its {@code models:} section)
 * @param sensorRetry backoff between retries of a faulted sensor
 * @param explicit the keys among {@link #BOARD_DEFAULTED} this configuration sets itself (in its file or
 *     through the builder); the board profile's uplink settings and limits apply to the others
 * @param federated how the device takes part in federated learning ({@code federated:}); absent: it does not
 */
public record AgentConfig(
        String deviceId,
        String board,
        Path dataDir,
        URI uplink,
        PayloadFormat payloadFormat,
        Optional<Duration> samplingInterval,
        Duration heartbeatInterval,
        JournalConfig journal,
        int replayRate,
        int maxInFlight,
        ReconnectPolicy reconnect,
        Duration coapAckTimeout,
        int coapMaxRetransmit,
        SimParameters sim,
        SecurityConfig security,
        UplinkCommit uplinkCommit,
        Duration ackTimeout,
        CoapDtls coapDtls,
        boolean inference,
        ReconnectPolicy sensorRetry,
        Set<String> explicit,
        Optional<ParticipantConfig> federated) {

    /** How a {@code coaps://} uplink authenticates (both need enrollment). */
    public enum CoapDtls {
        /** Pre-shared key: identity = device id, key derived from the device token. */
        PSK,
        /** Raw public keys (RFC 7250): the device key; the gateway's key pinned at enrollment. */
        RPK;

        public static CoapDtls parse(String s) {
            return switch (s) {
                case "psk" -> PSK;
                case "rpk" -> RPK;
                default -> throw new IllegalArgumentException("expected psk or rpk, got '" + s + "'");
            };
        }
    }

    /** When a sent message counts as committed and leaves the journal. */
    public enum UplinkCommit {
        /** The transport's acknowledgement: the gateway's own MQTT endpoint PUBACKs, and CoAP answers, after the commit. */
        TRANSPORT("transport"),
        /** An ack message from the gateway on {@code fl/v1/{id}/ack}: for an external MQTT broker in between. */
        ACK_MESSAGE("ack-message");

        private final String configName;

        UplinkCommit(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static UplinkCommit parse(String s) {
            for (UplinkCommit c : values()) {
                if (c.configName.equals(s)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("expected transport or ack-message, got '" + s + "'");
        }
    }

    public static final String DEFAULT_BOARD = "sim";
    public static final String DEFAULT_DATA_DIR = "./fieldline-agent-data/{deviceId}";
    public static final Duration MIN_SAMPLING_INTERVAL = Duration.ofMillis(100);
    public static final Duration MAX_SAMPLING_INTERVAL = Duration.ofHours(1);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(10);
    public static final int DEFAULT_REPLAY_RATE = 200;
    private static final JournalConfig J = JournalConfig.DEFAULTS;
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    public static final Duration DEFAULT_COAP_ACK_TIMEOUT = Duration.ofSeconds(2);
    public static final int DEFAULT_COAP_MAX_RETRANSMIT = 4;
    public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofSeconds(30);
    /** Retries of a faulted sensor: 1 s, 2 s, 4 s, ... up to 5 min, ±20 %. */
    public static final ReconnectPolicy DEFAULT_SENSOR_RETRY = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.2);
    /** Keys whose default comes from the board profile ({@code uplink:} and {@code limits:}) unless set here. */
    public static final List<String> BOARD_DEFAULTED = List.of("payload-format", "heartbeat-interval", "max-in-flight",
            "journal.max-size");
    /** Uplink URI schemes and what they select. */
    public static final List<String> UPLINK_SCHEMES = List.of("tcp (MQTT)", "ssl (MQTT over TLS)", "coap (CoAP)",
            "coaps (CoAP over DTLS)");

    private static final SimParameters S = SimParameters.DEFAULTS;
    private static final ReconnectPolicy R = ReconnectPolicy.DEFAULTS;

    /** Every key, as written in the YAML file. */
    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey("device-id", "string", "(required)", "", "device identifier: 1-64 of A-Z a-z 0-9 . _ -, starting with a letter or digit"),
            new ConfigKey("board", "string", DEFAULT_BOARD, "", "board profile: a stock name (sim, rpi3b, rpi4b, rpi5, rpi-zero-2w, esp32-devkitc, esp32-s3-devkitc) or a YAML file path"),
            new ConfigKey("data-dir", "path", DEFAULT_DATA_DIR, "", "directory for the boot counter and the journal; {deviceId} is replaced"),
            new ConfigKey("uplink", "uri", "(required)", "", "gateway: tcp://host:port (MQTT), ssl://host:port (MQTT over TLS, default port 8883), coap://host:port (CoAP) or coaps://host:port (CoAP over DTLS, default port 5684); ssl and coaps need enrollment (security.enroll-url)"),
            new ConfigKey("payload-format", "enum", "cbor", "", "uplink encoding: cbor or json (default: the board profile's uplink.payload-format, else cbor)"),
            new ConfigKey("sampling-interval", "duration", "(board profile; sim: 1s)", "s", "time between samples, 100ms..1h"),
            new ConfigKey("heartbeat-interval", "duration", ConfigNode.text(DEFAULT_HEARTBEAT_INTERVAL), "s", "time between ONLINE status heartbeats (default: the board profile's uplink.heartbeat-interval, else this)"),
            new ConfigKey("journal.max-size", "size", JournalConfig.sizeText(J.maxSize()), "bytes", "most bytes of unacknowledged messages kept in {data-dir}/journal; beyond it journal.overflow applies (default: the board profile's limits.journal, else this)"),
            new ConfigKey("journal.overflow", "enum", J.overflow().configName(), "", "when full (or the disk is): drop-oldest, drop-newest or stop-sampling (skip samples until space frees)"),
            new ConfigKey("journal.segment-size", "size", JournalConfig.sizeText(J.segmentSize()), "bytes", "size of one journal segment file, 1KiB..1GiB; a file is deleted once all its messages are acknowledged"),
            new ConfigKey("journal.fsync", "enum", J.fsync().configName(), "", "when appends are forced to the device: always (each record), batch or interval"),
            new ConfigKey("journal.fsync-batch", "integer", Integer.toString(J.fsyncBatch()), "records", "batch: records between syncs (also synced before each send)"),
            new ConfigKey("journal.fsync-interval", "duration", ConfigNode.text(J.fsyncInterval()), "s", "interval: time between background syncs"),
            new ConfigKey("journal.replay-rate", "integer", Integer.toString(DEFAULT_REPLAY_RATE), "messages/s", "pace of the backlog sent after a (re)connect; fresh messages queue behind it"),
            new ConfigKey("uplink-commit", "enum", UplinkCommit.TRANSPORT.configName(), "", "what makes a sent message committed: transport (our gateway's PUBACK or CoAP response) or ack-message (the gateway's ack on fl/v1/{id}/ack; use it when an external MQTT broker is between agent and gateway)"),
            new ConfigKey("ack-timeout", "duration", ConfigNode.text(DEFAULT_ACK_TIMEOUT), "s", "ack-message: a sent message not acked within this is sent again, 100ms..1h"),
            new ConfigKey("max-in-flight", "integer", Integer.toString(DEFAULT_MAX_IN_FLIGHT), "messages", "unacknowledged MQTT publishes at once (also capped by the broker's Receive Maximum; default: the board profile's uplink.max-in-flight, else this)"),
            new ConfigKey("reconnect.initial", "duration", ConfigNode.text(R.initial()), "s", "delay before the first reconnection attempt"),
            new ConfigKey("reconnect.max", "duration", ConfigNode.text(R.max()), "s", "longest delay between reconnection attempts (doubling from initial)"),
            new ConfigKey("reconnect.jitter", "number", Double.toString(R.jitter()), "fraction", "random spread of each delay, 0..1"),
            new ConfigKey("coap.ack-timeout", "duration", ConfigNode.text(DEFAULT_COAP_ACK_TIMEOUT), "s", "CoAP initial ACK timeout"),
            new ConfigKey("coap.max-retransmit", "integer", Integer.toString(DEFAULT_COAP_MAX_RETRANSMIT), "", "CoAP retransmissions before an exchange times out"),
            new ConfigKey("coap.dtls", "enum", "psk", "", "coaps:// authentication: psk (device id + PSK from enrollment) or rpk (the device key; the gateway's key pinned at enrollment)"),
            new ConfigKey("sim.seed", "integer", "(derived from device-id)", "", "random seed of the simulated sensors (combined with the boot id, so each boot differs)"),
            new ConfigKey("sim.base-temperature", "number", Double.toString(S.baseTemperature()), "Cel", "mean simulated temperature"),
            new ConfigKey("sim.noise", "number", Double.toString(S.noise()), "Cel", "standard deviation of the Gaussian noise"),
            new ConfigKey("sim.drift", "number", Double.toString(S.driftPerHour()), "Cel/h", "slow linear drift"),
            new ConfigKey("sim.daily-amplitude", "number", Double.toString(S.dailyAmplitude()), "Cel", "amplitude of the daily sinusoid"),
            new ConfigKey("sim.daily-period", "duration", ConfigNode.text(S.dailyPeriod()), "s", "period of the daily sinusoid"),
            new ConfigKey("sim.spike-probability", "number", Double.toString(S.spikeProbability()), "1/sample", "probability that a sample carries a spike"),
            new ConfigKey("sim.spike-magnitude", "number", Double.toString(S.spikeMagnitude()), "Cel", "size of a spike (sign random)"),
            new ConfigKey("inference", "boolean", "true", "", "run the board profile's models (models: section) and send inference events; false samples only"),
            new ConfigKey("sensor-retry.initial", "duration", ConfigNode.text(DEFAULT_SENSOR_RETRY.initial()), "s", "first retry of a faulted sensor (absent, NACK, timeout, garbage); doubling from here"),
            new ConfigKey("sensor-retry.max", "duration", ConfigNode.text(DEFAULT_SENSOR_RETRY.max()), "s", "longest wait between retries of a faulted sensor"),
            new ConfigKey("federated.data", "path", "(none: no federated learning)", "", "Fashion-MNIST IDX directory the device's local training data comes from"),
            new ConfigKey("federated.model", "string", "mlp", "", "the model the device trains: mlp or cnn"),
            new ConfigKey("federated.shard", "integer", "0", "", "which shard of the training split is this device's (0-based)"),
            new ConfigKey("federated.shards", "integer", "1", "", "how many disjoint shards the training split is cut into"),
            new ConfigKey("federated.examples", "integer", "2000", "images", "at most this many images in the shard"),
            new ConfigKey("federated.join-interval", "duration", "10s", "s", "how often the device says it can take part (fl/join)"),
            new ConfigKey("federated.timeout", "duration", "5s", "s", "wait for each chunk or receipt before asking again"),
            new ConfigKey("federated.slowdown", "duration", "0s", "s", "extra time per local training: a slow board in simulation"),
            new ConfigKey("security.sign", "boolean", "false", "", "sign telemetry, events and command results with the device key (COSE_Sign1, ES256); needs payload-format cbor"),
            new ConfigKey("security.enroll-url", "uri", "(none)", "", "gateway web API to enroll with when the agent has no credentials yet, e.g. http://gateway:8080"),
            new ConfigKey("security.enroll-token", "string", "(none)", "", "one-time enrollment token issued by the gateway (a secret; never printed)"));

    public AgentConfig {
        DeviceIds.require(deviceId, "deviceId");
        requireNonNull(board, "board");
        if (board.isBlank()) {
            throw new IllegalArgumentException("board must not be empty");
        }
        requireNonNull(dataDir, "dataDir");
        uplink = checkUplink(uplink);
        requireNonNull(payloadFormat, "payloadFormat");
        requireNonNull(samplingInterval, "samplingInterval");
        samplingInterval.ifPresent(AgentConfig::checkSamplingInterval);
        if (heartbeatInterval == null || heartbeatInterval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("heartbeatInterval must be >= 100ms, was " + heartbeatInterval);
        }
        requireNonNull(journal, "journal");
        if (replayRate < 1 || replayRate > 1_000_000) {
            throw new IllegalArgumentException("replayRate must be 1..1000000, was " + replayRate);
        }
        if (maxInFlight < 1 || maxInFlight > 65_535) {
            throw new IllegalArgumentException("maxInFlight must be 1..65535, was " + maxInFlight);
        }
        requireNonNull(reconnect, "reconnect");
        if (coapAckTimeout == null || coapAckTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("coapAckTimeout must be >= 10ms, was " + coapAckTimeout);
        }
        if (coapMaxRetransmit < 0 || coapMaxRetransmit > 20) {
            throw new IllegalArgumentException("coapMaxRetransmit must be 0..20, was " + coapMaxRetransmit);
        }
        requireNonNull(sim, "sim");
        requireNonNull(security, "security");
        requireNonNull(uplinkCommit, "uplinkCommit");
        requireNonNull(coapDtls, "coapDtls");
        requireNonNull(sensorRetry, "sensorRetry");
        requireNonNull(explicit, "explicit");
        explicit = Set.copyOf(explicit);
        if (uplinkCommit == UplinkCommit.ACK_MESSAGE && !isMqtt(uplink)) {
            throw new IllegalArgumentException("uplink-commit ack-message needs an MQTT uplink (tcp:// or ssl://), was " + uplink);
        }
        if (ackTimeout == null || ackTimeout.compareTo(Duration.ofMillis(100)) < 0 || ackTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("ackTimeout must be between 100ms and 1h, was " + ackTimeout);
        }
        if (security.sign() && payloadFormat != PayloadFormat.CBOR) {
            throw new IllegalArgumentException("security.sign needs payload-format cbor (COSE signs CBOR)");
        }
    }

    private static void requireNonNull(Object o, String name) {
        if (o == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    /** Checks a sampling interval: 100 ms .. 1 h. */
    public static Duration checkSamplingInterval(Duration d) {
        if (d == null || d.compareTo(MIN_SAMPLING_INTERVAL) < 0 || d.compareTo(MAX_SAMPLING_INTERVAL) > 0) {
            throw new IllegalArgumentException("samplingInterval must be between 100ms and 1h, was " + d);
        }
        return d;
    }

    private static URI checkUplink(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uplink is required: tcp://host:port (MQTT), ssl://host:port (MQTT over TLS),"
                    + " coap://host:port (CoAP) or coaps://host:port (CoAP over DTLS)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!List.of("tcp", "ssl", "coap", "coaps").contains(scheme)) {
            throw new IllegalArgumentException("uplink '" + uri + "' has an unsupported scheme; use one of "
                    + String.join(", ", UPLINK_SCHEMES));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("uplink '" + uri + "' has no host; write " + scheme + "://host:port");
        }
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            throw new IllegalArgumentException("uplink '" + uri + "' must not have a path; write " + scheme + "://host:port");
        }
        try {
            return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("uplink '" + uri + "': " + e.getMessage(), e);
        }
    }

    /** True when the uplink is MQTT ({@code tcp://} or {@code ssl://}), false for CoAP. */
    public boolean isMqtt() {
        return isMqtt(uplink);
    }

    private static boolean isMqtt(URI uri) {
        return uri.getScheme().equals("tcp") || uri.getScheme().equals("ssl");
    }

    /** True when the uplink is secured ({@code ssl://} or {@code coaps://}): it needs the device enrolled. */
    public boolean isSecureUplink() {
        return uplink.getScheme().equals("ssl") || uplink.getScheme().equals("coaps");
    }

    /** The seed of the simulated sensors: configured, or derived from the device id. */
    public long simSeed() {
        return sim.seed().orElse(deviceId.hashCode());
    }

    /** The keys and their documentation as a plain-text table. */
    public static String describe() {
        return ConfigKey.describe(KEYS);
    }

    public static Builder builder(String deviceId) {
        return new Builder(deviceId);
    }

    public Builder toBuilder() {
        Builder b = new Builder(deviceId);
        b.board = board;
        b.dataDir = dataDir;
        b.uplink = uplink;
        b.payloadFormat = payloadFormat;
        b.samplingInterval = samplingInterval.orElse(null);
        b.heartbeatInterval = heartbeatInterval;
        b.journal = journal;
        b.replayRate = replayRate;
        b.maxInFlight = maxInFlight;
        b.reconnect = reconnect;
        b.coapAckTimeout = coapAckTimeout;
        b.coapMaxRetransmit = coapMaxRetransmit;
        b.sim = sim;
        b.security = security;
        b.uplinkCommit = uplinkCommit;
        b.ackTimeout = ackTimeout;
        b.coapDtls = coapDtls;
        b.inference = inference;
        b.sensorRetry = sensorRetry;
        b.explicit.addAll(explicit);
        b.federated = federated.orElse(null);
        return b;
    }

    public AgentConfig withUplink(URI newUplink) {
        return toBuilder().uplink(newUplink).build();
    }

    public AgentConfig withSamplingInterval(Duration interval) {
        return toBuilder().samplingInterval(interval).build();
    }

    public AgentConfig withDataDir(Path dir) {
        return toBuilder().dataDir(dir).build();
    }

    public AgentConfig withBoard(String newBoard) {
        return toBuilder().board(newBoard).build();
    }

    public AgentConfig withSim(SimParameters params) {
        return toBuilder().sim(params).build();
    }

    /**
     * This configuration with the board profile's uplink settings ({@code payload-format},
     * {@code heartbeat-interval}, {@code max-in-flight}) and journal limit ({@code limits.journal})
     * wherever it does not set them itself.
     */
    public AgentConfig withBoardDefaults(dev.fieldline.boards.BoardProfile profile) {
        Builder b = toBuilder();
        if (!explicit.contains("payload-format") && !security.sign()) {
            profile.uplink().payloadFormat().ifPresent(f -> b.payloadFormat = f);
        }
        if (!explicit.contains("heartbeat-interval")) {
            profile.uplink().heartbeatInterval().ifPresent(h -> b.heartbeatInterval = h);
        }
        if (!explicit.contains("max-in-flight")) {
            profile.uplink().maxInFlight().ifPresent(m -> b.maxInFlight = m);
        }
        if (!explicit.contains("journal.max-size")) {
            profile.limits().journalBytes().ifPresent(j -> b.journal = journal.withMaxSize(j));
        }
        return b.build();
    }

    /** Loads a configuration file. Errors are {@link ConfigException}s naming file, line and key. */
    public static AgentConfig load(Path file) {
        return fromYaml(YamlDocuments.read(file));
    }

    /** Builds a configuration from a parsed YAML document. */
    public static AgentConfig fromYaml(ConfigNode root) {
        root.allowOnly(Set.of("device-id", "board", "data-dir", "uplink", "payload-format", "sampling-interval",
                "heartbeat-interval", "journal", "max-in-flight", "reconnect", "coap", "sim", "security", "uplink-commit",
                "ack-timeout", "inference", "sensor-retry", "federated"));
        Builder b = new Builder(root.require("device-id").parse(id -> DeviceIds.require(id, "device-id")));
        root.get("federated").ifPresent(n -> b.federated(ParticipantConfig.fromYaml(n)));
        root.get("board").ifPresent(n -> b.board(n.asString()));
        root.get("data-dir").ifPresent(n -> b.dataDir(n.parse(Path::of)));
        URI uplinkUri = root.require("uplink").parse(s -> checkUplink(URI.create(s)));
        b.uplink(uplinkUri);
        root.get("payload-format").ifPresent(n -> b.payloadFormat(n.parse(s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "cbor" -> PayloadFormat.CBOR;
            case "json" -> PayloadFormat.JSON;
            default -> throw new IllegalArgumentException("expected cbor or json, got '" + s + "'");
        })));
        root.get("sampling-interval").ifPresent(n ->
                b.samplingInterval(n.asDuration(MIN_SAMPLING_INTERVAL, MAX_SAMPLING_INTERVAL)));
        root.get("heartbeat-interval").ifPresent(n -> b.heartbeatInterval(n.asDuration(Duration.ofMillis(100), Duration.ofDays(1))));
        root.get("journal").ifPresent(n -> {
            n.allowOnly(Set.of("max-size", "overflow", "segment-size", "fsync", "fsync-batch", "fsync-interval",
                    "replay-rate"));
            JournalConfig j;
            try {
                j = J.withMaxSize(n.get("max-size").map(v -> v.parse(JournalConfig::parseSize)).orElse(J.maxSize()))
                        .withSegmentSize(n.get("segment-size").map(v -> v.parse(JournalConfig::parseSize))
                                .orElse(J.segmentSize()))
                        .withOverflow(n.get("overflow").map(v -> v.parse(JournalConfig.OverflowPolicy::parse))
                                .orElse(J.overflow()))
                        .withFsync(n.get("fsync").map(v -> v.parse(JournalConfig.FsyncPolicy::parse)).orElse(J.fsync()))
                        .withFsyncBatch(n.integer("fsync-batch", J.fsyncBatch(), 1, 1_000_000))
                        .withFsyncInterval(n.duration("fsync-interval", J.fsyncInterval(), Duration.ofMillis(1),
                                Duration.ofHours(1)));
            } catch (IllegalArgumentException e) {
                throw n.error(ConfigException.Reason.INVALID_VALUE, e.getMessage());
            }
            b.journal(j);
            if (n.get("max-size").isEmpty()) {
                b.explicit.remove("journal.max-size");
            }
            b.replayRate(n.integer("replay-rate", DEFAULT_REPLAY_RATE, 1, 1_000_000));
        });
        root.get("uplink-commit").ifPresent(n -> b.uplinkCommit(n.parse(UplinkCommit::parse)));
        b.inference(root.bool("inference", true));
        b.ackTimeout(root.duration("ack-timeout", DEFAULT_ACK_TIMEOUT, Duration.ofMillis(100), Duration.ofHours(1)));
        root.get("max-in-flight").ifPresent(n -> b.maxInFlight(n.asInt(1, 65_535)));
        root.get("reconnect").ifPresent(n -> {
            Backoff r = Backoff.read(n, R.backoff());
            b.reconnect(new ReconnectPolicy(r.initial(), r.max(), r.jitter()));
        });
        root.get("sensor-retry").ifPresent(n -> {
            n.allowOnly(Set.of("initial", "max"));
            ReconnectPolicy d = DEFAULT_SENSOR_RETRY;
            Duration initial = n.duration("initial", d.initial(), Duration.ofMillis(1), Duration.ofHours(1));
            Duration max = n.duration("max", d.max(), Duration.ofMillis(1), Duration.ofDays(1));
            if (max.compareTo(initial) < 0) {
                throw n.require("max").error(ConfigException.Reason.INVALID_VALUE,
                        "must be >= sensor-retry.initial (" + ConfigNode.text(initial) + ")");
            }
            b.sensorRetry(new ReconnectPolicy(initial, max, d.jitter()));
        });
        root.get("coap").ifPresent(n -> {
            n.allowOnly(Set.of("ack-timeout", "max-retransmit", "dtls"));
            n.get("dtls").ifPresent(v -> b.coapDtls(v.parse(CoapDtls::parse)));
            b.coapAckTimeout(n.duration("ack-timeout", DEFAULT_COAP_ACK_TIMEOUT, Duration.ofMillis(10), Duration.ofMinutes(1)));
            b.coapMaxRetransmit(n.integer("max-retransmit", DEFAULT_COAP_MAX_RETRANSMIT, 0, 20));
        });
        root.get("sim").ifPresent(n -> {
            n.allowOnly(Set.of("seed", "base-temperature", "noise", "drift", "daily-amplitude", "daily-period",
                    "spike-probability", "spike-magnitude"));
            OptionalLong seed = n.get("seed").map(s -> OptionalLong.of(s.asLong(Long.MIN_VALUE, Long.MAX_VALUE)))
                    .orElse(OptionalLong.empty());
            b.sim(new SimParameters(seed,
                    n.number("base-temperature", S.baseTemperature(), -50, 150),
                    n.number("noise", S.noise(), 0, 50),
                    n.number("drift", S.driftPerHour(), -100, 100),
                    n.number("daily-amplitude", S.dailyAmplitude(), 0, 100),
                    n.duration("daily-period", S.dailyPeriod(), Duration.ofSeconds(1), Duration.ofDays(366)),
                    n.number("spike-probability", S.spikeProbability(), 0, 1),
                    n.number("spike-magnitude", S.spikeMagnitude(), 0, 200)));
        });
        root.get("security").ifPresent(n -> {
            n.allowOnly(Set.of("sign", "enroll-url", "enroll-token"));
            try {
                b.security(new SecurityConfig(n.get("sign").map(ConfigNode::asBoolean).orElse(false),
                        n.get("enroll-url").map(v -> v.parse(URI::create)),
                        n.get("enroll-token").map(ConfigNode::asString)));
            } catch (IllegalArgumentException e) {
                throw n.error(ConfigException.Reason.INVALID_VALUE, e.getMessage());
            }
        });
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw root.error(ConfigException.Reason.INVALID_VALUE, e.getMessage());
        }
    }

    /** Builder with every default filled in; only the device id and the uplink are required. */
    public static final class Builder {
        private final String deviceId;
        private String board = DEFAULT_BOARD;
        private Path dataDir;
        private URI uplink;
        private PayloadFormat payloadFormat = PayloadFormat.CBOR;
        private Duration samplingInterval;
        private Duration heartbeatInterval = DEFAULT_HEARTBEAT_INTERVAL;
        private JournalConfig journal = JournalConfig.DEFAULTS;
        private int replayRate = DEFAULT_REPLAY_RATE;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULTS;
        private Duration coapAckTimeout = DEFAULT_COAP_ACK_TIMEOUT;
        private int coapMaxRetransmit = DEFAULT_COAP_MAX_RETRANSMIT;
        private SimParameters sim = SimParameters.DEFAULTS;
        private SecurityConfig security = SecurityConfig.NONE;
        private UplinkCommit uplinkCommit = UplinkCommit.TRANSPORT;
        private Duration ackTimeout = DEFAULT_ACK_TIMEOUT;
        private CoapDtls coapDtls = CoapDtls.PSK;
        private boolean inference = true;
        private ReconnectPolicy sensorRetry = DEFAULT_SENSOR_RETRY;
        private final Set<String> explicit = new java.util.HashSet<>();
        private ParticipantConfig federated;

        private Builder(String deviceId) {
            this.deviceId = DeviceIds.require(deviceId, "deviceId");
        }

        public Builder board(String v) {
            board = v;
            return this;
        }

        /** The data directory; {@code {deviceId}} in it is replaced by the device id. */
        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder uplink(URI v) {
            uplink = v;
            return this;
        }

        public Builder uplink(String v) {
            return uplink(URI.create(v));
        }

        public Builder payloadFormat(PayloadFormat v) {
            payloadFormat = v;
            explicit.add("payload-format");
            return this;
        }

        /** Overrides the board profile's sampling interval; null restores it. */
        public Builder samplingInterval(Duration v) {
            samplingInterval = v;
            return this;
        }

        public Builder heartbeatInterval(Duration v) {
            heartbeatInterval = v;
            explicit.add("heartbeat-interval");
            return this;
        }

        /** The journal; its max-size then counts as set (the board profile's {@code limits.journal} no longer applies). */
        public Builder journal(JournalConfig v) {
            journal = v;
            explicit.add("journal.max-size");
            return this;
        }

        /** Most backlog messages per second after a (re)connect. */
        public Builder replayRate(int v) {
            replayRate = v;
            return this;
        }

        public Builder maxInFlight(int v) {
            maxInFlight = v;
            explicit.add("max-in-flight");
            return this;
        }

        public Builder reconnect(ReconnectPolicy v) {
            reconnect = v;
            return this;
        }

        public Builder coapAckTimeout(Duration v) {
            coapAckTimeout = v;
            return this;
        }

        public Builder coapMaxRetransmit(int v) {
            coapMaxRetransmit = v;
            return this;
        }

        public Builder sim(SimParameters v) {
            sim = v;
            return this;
        }

        public Builder security(SecurityConfig v) {
            security = v;
            return this;
        }

        /** transport (default) or ack-message (an external MQTT broker between agent and gateway). */
        public Builder uplinkCommit(UplinkCommit v) {
            uplinkCommit = v;
            return this;
        }

        public Builder ackTimeout(Duration v) {
            ackTimeout = v;
            return this;
        }

        /** coaps:// authentication: PSK (default) or RPK. */
        public Builder coapDtls(CoapDtls v) {
            coapDtls = v;
            return this;
        }

        /** Run the board profile's models (default); false samples only. */
        public Builder inference(boolean v) {
            inference = v;
            return this;
        }

        /** Take part in federated learning (docs/agent.md). */
        public Builder federated(ParticipantConfig v) {
            federated = v;
            return this;
        }

        /** Backoff between retries of a faulted sensor. */
        public Builder sensorRetry(ReconnectPolicy v) {
            sensorRetry = v;
            return this;
        }

        public AgentConfig build() {
            Path dir = dataDir != null ? dataDir : Path.of(DEFAULT_DATA_DIR);
            dir = Path.of(dir.toString().replace("{deviceId}", deviceId));
            return new AgentConfig(deviceId, board, dir, uplink, payloadFormat, Optional.ofNullable(samplingInterval),
                    heartbeatInterval, journal, replayRate, maxInFlight, reconnect, coapAckTimeout, coapMaxRetransmit, sim,
                    security, uplinkCommit, ackTimeout, coapDtls, inference, sensorRetry, explicit, Optional.ofNullable(federated));
        }
    }
}
