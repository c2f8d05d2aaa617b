package dev.fieldline.gateway.cloud;

import dev.fieldline.analytics.window.WindowSpec;
import dev.fieldline.config.Backoff;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigKey;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cloud sync settings: where selected data goes (an HTTP endpoint or an upstream MQTT broker), what
 * is selected, how much the outbox may hold and the retry backoff. Immutable; load it with
 * {@link #load(Path)}; {@link #describe()} prints every key.
 *
 * <pre>
 * target:
 *   http:
 *     url: https://cloud.example.com/v1/ingest
 *     token: ${secret}                 # sent as Authorization: Bearer ...
 *     headers: {X-Site: greenhouse-3}
 *     batch-size: 100
 *     batch-bytes: 256KiB
 *     timeout: 10s
 *   # or
 *   # mqtt: {broker: ssl://cloud.example.com:8883, client-id: gw-1, topic-prefix: fieldline,
 *   #        username: gw-1, password: ..., ca-file: /etc/fieldline/cloud-ca.pem, max-in-flight: 10, timeout: 10s}
 * selection:
 *   readings: {metrics: [temperature], above: 50}
 *   anomalies: {min-score: 0.9}
 *   aggregates: {window: tumbling 1m, metrics: [temperature]}
 *   alerts: true
 * outbox: {max-records: 100000, max-size: 64MiB}
 * backoff: {initial: 1s, max: 5m, jitter: 0.2}
 * </pre>
 *
 * @param target where records go
 * @param selection what is forwarded
 * @param maxRecords most records the outbox holds (pending, not counting dead letters)
 * @param maxBytes most bytes of record JSON the outbox holds
 * @param backoff delays between failed sends
 */
public record CloudSyncConfig(Target target, CloudSelection selection, long maxRecords, long maxBytes, Backoff backoff) {
    public static final long DEFAULT_MAX_RECORDS = 100_000;
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final int DEFAULT_BATCH_SIZE = 100;
    public static final long DEFAULT_BATCH_BYTES = 256L << 10;
    public static final int DEFAULT_MAX_IN_FLIGHT = 10;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final String DEFAULT_TOPIC_PREFIX = "fieldline";
    /** 1 s doubling up to 5 min, ±20 %. */
    public static final Backoff DEFAULT_BACKOFF = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0.2);
    /** Largest single record (its JSON); a larger one is refused by {@link CloudForward#forward}. */
    public static final int MAX_RECORD_BYTES = 64 << 10;
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}");
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "content-length", "idempotency-key",
            "host", "connection", "authorization", "expect", "upgrade");

    /** Every key: name, type, default, unit, description. */
    public static final List<ConfigKey> KEYS = List.of(
            new ConfigKey("target.http.url", "uri", "(one target required)", "", "http:// or https:// endpoint; batches are POSTed to it as JSON"),
            new ConfigKey("target.http.token", "string", "(none)", "", "bearer token sent as Authorization: Bearer <token>"),
            new ConfigKey("target.http.headers", "map", "{}", "", "extra request headers (not Content-Type, Authorization, Idempotency-Key or hop-by-hop ones)"),
            new ConfigKey("target.http.batch-size", "integer", Integer.toString(DEFAULT_BATCH_SIZE), "records", "most records per POST, 1..10000"),
            new ConfigKey("target.http.batch-bytes", "size", ConfigNode.sizeText(DEFAULT_BATCH_BYTES), "bytes", "most record bytes per POST (a single larger record still goes alone)"),
            new ConfigKey("target.http.timeout", "duration", ConfigNode.text(DEFAULT_TIMEOUT), "s", "connect and response timeout of one POST"),
            new ConfigKey("target.mqtt.broker", "uri", "(one target required)", "", "tcp://host:port or ssl://host:port (MQTT 5)"),
            new ConfigKey("target.mqtt.client-id", "string", "(required with mqtt)", "", "MQTT client identifier, 1-128 characters"),
            new ConfigKey("target.mqtt.topic-prefix", "string", DEFAULT_TOPIC_PREFIX, "", "records go to {topic-prefix}/{deviceId}/{kind}; no wildcards"),
            new ConfigKey("target.mqtt.username", "string", "(none)", "", "MQTT user name"),
            new ConfigKey("target.mqtt.password", "string", "(none)", "", "MQTT password (needs username)"),
            new ConfigKey("target.mqtt.ca-file", "path", "(JDK trust store)", "", "ssl://: PEM CA certificate trusted besides the JDK's trust store"),
            new ConfigKey("target.mqtt.max-in-flight", "integer", Integer.toString(DEFAULT_MAX_IN_FLIGHT), "messages", "QoS 1 publishes awaiting their PUBACK at once, 1..1000"),
            new ConfigKey("target.mqtt.timeout", "duration", ConfigNode.text(DEFAULT_TIMEOUT), "s", "connect (CONNACK) and PUBACK timeout"),
            new ConfigKey("selection.readings.metrics", "list", "(every metric)", "", "metric names whose readings are forwarded"),
            new ConfigKey("selection.readings.above", "number", "(no bound)", "", "forward numeric readings strictly above this"),
            new ConfigKey("selection.readings.below", "number", "(no bound)", "", "forward numeric readings strictly below this (with above: either)"),
            new ConfigKey("selection.anomalies.min-score", "number", "(off)", "", "forward engine observations whose anomaly score is at least this, 0..1"),
            new ConfigKey("selection.aggregates.window", "string", "(off)", "", "window whose results are forwarded instead of raw points, as the analytics engine writes windows (e.g. tumbling 1m)"),
            new ConfigKey("selection.aggregates.metrics", "list", "(every metric)", "", "metrics whose window results are forwarded"),
            new ConfigKey("selection.alerts", "boolean", "false", "", "forward the alerts the gateway raises"),
            new ConfigKey("outbox.max-records", "integer", Long.toString(DEFAULT_MAX_RECORDS), "records", "pending records kept in {data-dir}/cloud-outbox.db; beyond it new records are dropped and counted"),
            new ConfigKey("outbox.max-size", "size", ConfigNode.sizeText(DEFAULT_MAX_BYTES), "bytes", "pending record bytes kept; beyond it new records are dropped and counted"),
            new ConfigKey("backoff.initial", "duration", ConfigNode.text(DEFAULT_BACKOFF.initial()), "s", "delay after the first failed send"),
            new ConfigKey("backoff.max", "duration", ConfigNode.text(DEFAULT_BACKOFF.max()), "s", "longest delay between sends (doubling from initial)"),
            new ConfigKey("backoff.jitter", "number", Double.toString(DEFAULT_BACKOFF.jitter()), "fraction", "random spread of each delay, 0..1"));

    /** Where the records go. */
    public sealed interface Target permits HttpTarget, MqttTarget {
    }

    /**
     * An HTTP endpoint taking JSON batches.
     *
     * @param url http or https endpoint
     * @param headers extra request headers
     * @param token bearer token, if any
     * @param batchSize most records per request
     * @param batchBytes most record bytes per request
     * @param timeout connect and response timeout
     */
    public record HttpTarget(URI url, Map<String, String> headers, Optional<String> token, int batchSize, long batchBytes,
                             Duration timeout) implements Target {
        public HttpTarget {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
                throw new IllegalArgumentException("url must be http://host[:port]/path or https://..., was " + url);
            }
            headers = Map.copyOf(headers);
            for (String name : headers.keySet()) {
                if (!HEADER_NAME.matcher(name).matches() || RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException("header '" + name + "' cannot be set here (reserved or not a header name)");
                }
            }
            headers.forEach((name, value) -> requireHeaderValue(value, "header '" + name + "'"));
            Objects.requireNonNull(token, "token").ifPresent(t -> requireHeaderValue(t, "token"));
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1..10000, was " + batchSize);
            }
            if (batchBytes < 1) {
                throw new IllegalArgumentException("batchBytes must be positive, was " + batchBytes);
            }
            requirePositive(timeout, "timeout");
        }

        public static HttpTarget of(URI url) {
            return new HttpTarget(url, Map.of(), Optional.empty(), DEFAULT_BATCH_SIZE, DEFAULT_BATCH_BYTES, DEFAULT_TIMEOUT);
        }

        public HttpTarget withBatchSize(int records) {
            return new HttpTarget(url, headers, token, records, batchBytes, timeout);
        }

        public HttpTarget withTimeout(Duration t) {
            return new HttpTarget(url, headers, token, batchSize, batchBytes, t);
        }

        @Override
        public String toString() {
            return "HttpTarget[url=" + url + ", headers=" + headers.keySet() + ", token=" + (token.isPresent() ? "***" : "none")
                    + ", batchSize=" + batchSize + ", batchBytes=" + batchBytes + ", timeout=" + timeout + "]";
        }
    }

    /**
     * An upstream MQTT 5 broker.
     *
     * @param broker tcp:// or ssl:// URI
     * @param clientId MQTT client identifier
     * @param topicPrefix records go to {@code {topicPrefix}/{deviceId}/{kind}}
     * @param username user name, if any
     * @param password password, if any (needs a user name)
     * @param caFile PEM CA certificate trusted for ssl:// besides the JDK's trust store
     * @param maxInFlight QoS 1 publishes awaiting PUBACK at once
     * @param timeout CONNACK and PUBACK timeout
     */
    public record MqttTarget(URI broker, String clientId, String topicPrefix, Optional<String> username,
                             Optional<String> password, Optional<Path> caFile, int maxInFlight, Duration timeout)
            implements Target {
        public MqttTarget {
            Objects.requireNonNull(broker, "broker");
            String scheme = broker.getScheme() == null ? "" : broker.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("tcp") && !scheme.equals("ssl") || broker.getHost() == null || broker.getPort() < 0) {
                throw new IllegalArgumentException("broker must be tcp://host:port or ssl://host:port, was " + broker);
            }
            if (clientId == null || clientId.isEmpty() || clientId.length() > 128) {
                throw new IllegalArgumentException("clientId must be 1..128 characters, was '" + clientId + "'");
            }
            if (topicPrefix == null || topicPrefix.isEmpty() || topicPrefix.length() > 200 || topicPrefix.contains("#")
                    || topicPrefix.contains("+") || topicPrefix.startsWith("/") || topicPrefix.endsWith("/")
                    || topicPrefix.contains("\0")) {
                throw new IllegalArgumentException("topicPrefix must be 1..200 characters without +, #, NUL or a"
                        + " leading or trailing /, was '" + topicPrefix + "'");
            }
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(caFile, "caFile");
            if (password.isPresent() && username.isEmpty()) {
                throw new IllegalArgumentException("password needs a username");
            }
            if (caFile.isPresent() && !scheme.equals("ssl")) {
                throw new IllegalArgumentException("caFile needs an ssl:// broker, was " + broker);
            }
            if (maxInFlight < 1 || maxInFlight > 1000) {
                throw new IllegalArgumentException("maxInFlight must be 1..1000, was " + maxInFlight);
            }
            requirePositive(timeout, "timeout");
        }

        public static MqttTarget of(URI broker, String clientId, String topicPrefix) {
            return new MqttTarget(broker, clientId, topicPrefix, Optional.empty(), Optional.empty(), Optional.empty(),
                    DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT);
        }

        public MqttTarget withMaxInFlight(int n) {
            return new MqttTarget(broker, clientId, topicPrefix, username, password, caFile, n, timeout);
        }

        public MqttTarget withTimeout(Duration t) {
            return new MqttTarget(broker, clientId, topicPrefix, username, password, caFile, maxInFlight, t);
        }

        @Override
        public String toString() {
            return "MqttTarget[broker=" + broker + ", clientId=" + clientId + ", topicPrefix=" + topicPrefix + ", username="
                    + username.orElse("none") + ", password=" + (password.isPresent() ? "***" : "none") + ", caFile="
                    + caFile.map(Path::toString).orElse("none") + ", maxInFlight=" + maxInFlight + ", timeout=" + timeout + "]";
        }
    }

    public CloudSyncConfig {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(selection, "selection");
        Objects.requireNonNull(backoff, "backoff");
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be positive, was " + maxRecords);
        }
        if (maxBytes < MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MAX_RECORD_BYTES + ", was " + maxBytes);
        }
    }

    /** A configuration with the default outbox limits and backoff. */
    public static CloudSyncConfig of(Target target, CloudSelection selection) {
        return new CloudSyncConfig(target, selection, DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES, DEFAULT_BACKOFF);
    }

    public CloudSyncConfig withOutbox(long records, long bytes) {
        return new CloudSyncConfig(target, selection, records, bytes, backoff);
    }

    public CloudSyncConfig withBackoff(Backoff b) {
        return new CloudSyncConfig(target, selection, maxRecords, maxBytes, b);
    }

    /** Reads a YAML file. */
    public static CloudSyncConfig load(Path file) {
        return fromYaml(YamlDocuments.read(file));
    }

    /** Reads a parsed YAML document; refuses unknown keys and bad values with file, line and key path. */
    public static CloudSyncConfig fromYaml(ConfigNode root) {
        root.allowOnly(Set.of("target", "selection", "outbox", "backoff"));
        Target target = target(root.require("target"));
        CloudSelection selection = root.get("selection").map(CloudSyncConfig::selection).orElse(CloudSelection.NONE);
        long maxRecords = DEFAULT_MAX_RECORDS;
        long maxBytes = DEFAULT_MAX_BYTES;
        Optional<ConfigNode> outbox = root.get("outbox");
        if (outbox.isPresent()) {
            ConfigNode n = outbox.get().allowOnly(Set.of("max-records", "max-size"));
            maxRecords = n.longValue("max-records", DEFAULT_MAX_RECORDS, 1, 100_000_000);
            maxBytes = n.get("max-size").map(v -> v.asSize(MAX_RECORD_BYTES, 1L << 40)).orElse(DEFAULT_MAX_BYTES);
        }
        Backoff backoff = root.get("backoff").map(n -> Backoff.read(n, DEFAULT_BACKOFF)).orElse(DEFAULT_BACKOFF);
        return new CloudSyncConfig(target, selection, maxRecords, maxBytes, backoff);
    }

    private static Target target(ConfigNode n) {
        n.allowOnly(Set.of("http", "mqtt"));
        Optional<ConfigNode> http = n.get("http");
        Optional<ConfigNode> mqtt = n.get("mqtt");
        if (http.isPresent() == mqtt.isPresent()) {
            throw n.error(Reason.INVALID_VALUE, "give exactly one of http or mqtt");
        }
        return http.isPresent() ? http(http.get()) : mqtt(mqtt.get());
    }

    private static HttpTarget http(ConfigNode n) {
        n.allowOnly(Set.of("url", "token", "headers", "batch-size", "batch-bytes", "timeout"));
        URI url = n.require("url").parse(URI::create);
        Map<String, String> headers = new LinkedHashMap<>();
        n.get("headers").ifPresent(h -> {
            for (Map.Entry<String, ConfigNode> e : h.entries()) {
                headers.put(e.getKey(), e.getValue().asString());
            }
        });
        Optional<String> token = n.get("token").map(ConfigNode::asString);
        int batchSize = n.integer("batch-size", DEFAULT_BATCH_SIZE, 1, 10_000);
        long batchBytes = n.get("batch-bytes").map(v -> v.asSize(1024, 64L << 20)).orElse(DEFAULT_BATCH_BYTES);
        Duration timeout = n.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(10), Duration.ofMinutes(10));
        try {
            return new HttpTarget(url, headers, token, batchSize, batchBytes, timeout);
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private static MqttTarget mqtt(ConfigNode n) {
        n.allowOnly(Set.of("broker", "client-id", "topic-prefix", "username", "password", "ca-file", "max-in-flight",
                "timeout"));
        URI broker = n.require("broker").parse(URI::create);
        String clientId = n.require("client-id").asString();
        String prefix = n.string("topic-prefix", DEFAULT_TOPIC_PREFIX);
        Optional<String> username = n.get("username").map(ConfigNode::asString);
        Optional<String> password = n.get("password").map(ConfigNode::asString);
        Optional<Path> caFile = n.get("ca-file").map(v -> v.parse(Path::of));
        int maxInFlight = n.integer("max-in-flight", DEFAULT_MAX_IN_FLIGHT, 1, 1000);
        Duration timeout = n.duration("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(10), Duration.ofMinutes(10));
        try {
            return new MqttTarget(broker, clientId, prefix, username, password, caFile, maxInFlight, timeout);
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private static CloudSelection selection(ConfigNode n) {
        n.allowOnly(Set.of("readings", "anomalies", "aggregates", "alerts"));
        Optional<CloudSelection.Readings> readings = n.get("readings").map(r -> {
            r.allowOnly(Set.of("metrics", "above", "below"));
            return new CloudSelection.Readings(metrics(r),
                    r.get("above").map(v -> v.asDouble(-Double.MAX_VALUE, Double.MAX_VALUE)),
                    r.get("below").map(v -> v.asDouble(-Double.MAX_VALUE, Double.MAX_VALUE)));
        });
        Optional<Double> minScore = n.get("anomalies").map(a -> {
            a.allowOnly(Set.of("min-score"));
            return a.require("min-score").asDouble(0, 1);
        });
        Optional<CloudSelection.Aggregates> aggregates = n.get("aggregates").map(a -> {
            a.allowOnly(Set.of("window", "metrics"));
            ConfigNode w = a.require("window");
            try {
                return new CloudSelection.Aggregates(w.parse(WindowSpec::parse), metrics(a));
            } catch (IllegalArgumentException e) {
                throw w.error(Reason.INVALID_VALUE, e.getMessage());
            }
        });
        return new CloudSelection(readings, minScore, aggregates, n.bool("alerts", false));
    }

    private static Set<String> metrics(ConfigNode n) {
        return n.get("metrics").map(list -> {
            Set<String> names = new java.util.LinkedHashSet<>();
            for (ConfigNode m : list.asList()) {
                String name = m.asString();
                if (name.isEmpty() || !names.add(name)) {
                    throw m.error(Reason.INVALID_VALUE, name.isEmpty() ? "metric name must not be empty"
                            : "metric '" + name + "' is listed twice");
                }
            }
            if (names.isEmpty()) {
                throw list.error(Reason.INVALID_VALUE, "an empty list selects nothing; leave metrics out to select every metric");
            }
            return Set.copyOf(names);
        }).orElse(Set.of());
    }

    /** Every key with its type, default, unit and description, as a table. */
    public static String describe() {
        return ConfigKey.describe(KEYS);
    }

    /** Visible ASCII, space and tab only, at most 4096 characters: what an HTTP header value may carry. */
    private static void requireHeaderValue(String value, String what) {
        if (value == null || value.length() > 4096 || !value.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException(what + " must be at most 4096 visible ASCII characters (no line breaks"
                    + " or control characters)");
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
