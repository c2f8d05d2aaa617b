package dev.fieldline.gateway;

import dev.fieldline.gateway.analytics.StreamAnalyticsConfig;
import dev.fieldline.protocol.DecodeLimits;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import dev.fieldline.gateway.federated.FederatedConfig;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a gateway needs to start. Ports: 0 picks a free one, a negative value disables that
 * listener. {@link #describe()} prints each setting with its type, unit, default and meaning.
 *
 * @param dataDir where the database lives ({@code fieldline.db})
 * @param bindHost address every listener binds
 * @param httpPort web API port (TCP)
 * @param mqttPort embedded MQTT endpoint port (TCP)
 * @param coapPort CoAP server port (UDP)
 * @param externalBroker an MQTT broker to subscribe to as well (shared subscription), e.g. tcp://broker:1883
 * @param brokerClientId MQTT client id on the external broker (stable across restarts: it names the session)
 * @param brokerShareGroup shared-subscription group replicas split the devices' messages in
 * @param alertThreshold numeric readings above this raise a warning alert
 * @param alertMetrics metrics the threshold applies to; empty means all
 * @param limits payload size and structure limits for every transport
 * @param ingestQueueCapacity messages waiting for the store before new ones are refused (retry later)
 * @param secure secure mode: devices must authenticate on every transport and the web API needs
 *     bearer tokens (see {@code docs/security.md}); plain mode (false) is for local development
 * @param coapsPort CoAP over DTLS 1.2 port (UDP): device PSK or raw public key
 * @param mqttsPort MQTT over TLS port (TCP): client certificate from the gateway CA, or user name + token
 * @param tlsNames host names and addresses the gateway's TLS server certificate names besides
 *     {@code localhost} and {@code 127.0.0.1}
 * @param analytics stream analytics and rules: the rules file, idle expiry, insight cadence
 * @param federated federated-learning rounds ({@code --fl FILE}); absent: none
 */
public record GatewayConfig(
        Path dataDir,
        String bindHost,
        int httpPort,
        int mqttPort,
        int coapPort,
        Optional<URI> externalBroker,
        String brokerClientId,
        String brokerShareGroup,
        double alertThreshold,
        Set<String> alertMetrics,
        DecodeLimits limits,
        int ingestQueueCapacity,
        boolean secure,
        int coapsPort,
        int mqttsPort,
        List<String> tlsNames,
        StreamAnalyticsConfig analytics,
        Optional<FederatedConfig> federated) {

    public static final String DEFAULT_BIND_HOST = "0.0.0.0";
    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final int DEFAULT_MQTT_PORT = 1883;
    public static final int DEFAULT_COAP_PORT = 5683;
    public static final int DEFAULT_COAPS_PORT = 5684;
    public static final int DEFAULT_MQTTS_PORT = 8883;
    public static final double DEFAULT_ALERT_THRESHOLD = 75;
    public static final int DEFAULT_INGEST_QUEUE = 10_000;
    public static final String DEFAULT_SHARE_GROUP = "fieldline";

    public GatewayConfig {
        if (dataDir == null) {
            throw new IllegalArgumentException("dataDir must not be null");
        }
        if (bindHost == null || bindHost.isBlank()) {
            throw new IllegalArgumentException("bindHost must not be blank");
        }
        requirePort(httpPort, "httpPort");
        requirePort(mqttPort, "mqttPort");
        requirePort(coapPort, "coapPort");
        requirePort(coapsPort, "coapsPort");
        requirePort(mqttsPort, "mqttsPort");
        if (tlsNames == null || tlsNames.stream().anyMatch(n -> n == null || !n.matches("[A-Za-z0-9.:*-]{1,253}"))) {
            throw new IllegalArgumentException("tlsNames must be host names or IP addresses, was " + tlsNames);
        }
        tlsNames = List.copyOf(tlsNames);
        if (federated == null) {
            throw new IllegalArgumentException("federated must not be null (use Optional.empty())");
        }
        if (analytics == null) {
            throw new IllegalArgumentException("analytics must not be null (use StreamAnalyticsConfig.DEFAULT)");
        }
        if (externalBroker == null) {
            throw new IllegalArgumentException("externalBroker must not be null (use Optional.empty())");
        }
        if (brokerClientId == null || brokerClientId.isBlank() || brokerClientId.length() > 64) {
            throw new IllegalArgumentException("brokerClientId must be 1-64 characters, was '" + brokerClientId + "'");
        }
        if (brokerShareGroup == null || !brokerShareGroup.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("brokerShareGroup must be 1-64 of A-Z a-z 0-9 . _ -, was '" + brokerShareGroup + "'");
        }
        if (!Double.isFinite(alertThreshold)) {
            throw new IllegalArgumentException("alertThreshold must be finite, was " + alertThreshold);
        }
        alertMetrics = Set.copyOf(alertMetrics);
        if (limits == null) {
            throw new IllegalArgumentException("limits must not be null");
        }
        if (ingestQueueCapacity < 1) {
            throw new IllegalArgumentException("ingestQueueCapacity must be >= 1, was " + ingestQueueCapacity);
        }
    }

    private static void requirePort(int port, String name) {
        if (port > 65_535) {
            throw new IllegalArgumentException(name + " must be at most 65535 (0 picks a free port, negative disables), was " + port);
        }
    }

    /** The embedded defaults: every listener on its standard port on all interfaces, no external broker. */
    public static GatewayConfig defaults(Path dataDir) {
        return new GatewayConfig(dataDir, DEFAULT_BIND_HOST, DEFAULT_HTTP_PORT, DEFAULT_MQTT_PORT, DEFAULT_COAP_PORT,
                Optional.empty(), defaultClientId(), DEFAULT_SHARE_GROUP, DEFAULT_ALERT_THRESHOLD, Set.of(),
                DecodeLimits.DEFAULT, DEFAULT_INGEST_QUEUE, false, DEFAULT_COAPS_PORT, DEFAULT_MQTTS_PORT, List.of(),
                StreamAnalyticsConfig.DEFAULT, Optional.empty());
    }

    /** {@code fieldline-gateway-<host name>}: stable across restarts of the same host or pod. */
    private static String defaultClientId() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()).orElseGet(() -> {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "local";
            }
        });
        String id = "fieldline-gateway-" + host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return id.length() > 64 ? id.substring(0, 64) : id;
    }

    public boolean httpEnabled() {
        return httpPort >= 0;
    }

    public boolean mqttEnabled() {
        return mqttPort >= 0;
    }

    public boolean coapEnabled() {
        return coapPort >= 0;
    }

    public boolean coapsEnabled() {
        return coapsPort >= 0;
    }

    public boolean mqttsEnabled() {
        return mqttsPort >= 0;
    }

    public GatewayConfig withAnalytics(StreamAnalyticsConfig a) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, a, federated);
    }

    /** Runs federated-learning rounds as {@code f} says (docs/federated.md, "Protocol and gateway service"). */
    public GatewayConfig withFederated(FederatedConfig f) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames,
                analytics, Optional.of(f));
    }

    public GatewayConfig withCoapsPort(int port) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, port, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withMqttsPort(int port) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, port, tlsNames, analytics, federated);
    }

    public GatewayConfig withTlsNames(List<String> names) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, names, analytics, federated);
    }

    public GatewayConfig withDataDir(Path dir) {
        return new GatewayConfig(dir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withBindHost(String host) {
        return new GatewayConfig(dataDir, host, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withHttpPort(int port) {
        return new GatewayConfig(dataDir, bindHost, port, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withMqttPort(int port) {
        return new GatewayConfig(dataDir, bindHost, httpPort, port, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withCoapPort(int port) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, port, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withExternalBroker(URI broker) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, Optional.of(broker), brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withBrokerClientId(String clientId) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, clientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withBrokerShareGroup(String group) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                group, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withAlertThreshold(double threshold) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, threshold, alertMetrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withAlertMetrics(Set<String> metrics) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, metrics, limits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withLimits(DecodeLimits decodeLimits) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, decodeLimits, ingestQueueCapacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withIngestQueueCapacity(int capacity) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, capacity, secure, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    public GatewayConfig withSecure(boolean secureMode) {
        return new GatewayConfig(dataDir, bindHost, httpPort, mqttPort, coapPort, externalBroker, brokerClientId,
                brokerShareGroup, alertThreshold, alertMetrics, limits, ingestQueueCapacity, secureMode, coapsPort, mqttsPort, tlsNames, analytics, federated);
    }

    /** Every setting with its value, type/unit and meaning, one per line. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        line(b, "dataDir", dataDir, "path", "where the database lives (fieldline.db, WAL files beside it)");
        line(b, "bindHost", bindHost, "address", "address every listener binds (default " + DEFAULT_BIND_HOST + ")");
        line(b, "httpPort", httpPort, "TCP port", "web API; 0 = a free port, negative = off (default " + DEFAULT_HTTP_PORT + ")");
        line(b, "mqttPort", mqttPort, "TCP port", "embedded MQTT endpoint; 0 = a free port, negative = off (default "
                + DEFAULT_MQTT_PORT + ")");
        line(b, "coapPort", coapPort, "UDP port", "CoAP server; 0 = a free port, negative = off (default " + DEFAULT_COAP_PORT + ")");
        line(b, "externalBroker", externalBroker.map(URI::toString).orElse("(none)"), "URI",
                "MQTT broker to subscribe to as well, e.g. tcp://broker:1883 (default none)");
        line(b, "brokerClientId", brokerClientId, "text", "client id on the external broker (default fieldline-gateway-<host>)");
        line(b, "brokerShareGroup", brokerShareGroup, "text", "shared-subscription group (default " + DEFAULT_SHARE_GROUP + ")");
        line(b, "alertThreshold", alertThreshold, "number", "readings above this raise a warning (default 75)");
        line(b, "alertMetrics", alertMetrics.isEmpty() ? "(all)" : String.join(",", alertMetrics.stream().sorted().toList()),
                "names", "metrics the threshold applies to (default all)");
        line(b, "maxPayloadBytes", limits.maxPayloadBytes(), "bytes", "largest accepted message (default 65536)");
        line(b, "ingestQueueCapacity", ingestQueueCapacity, "messages",
                "waiting for the store before new ones are refused (default " + DEFAULT_INGEST_QUEUE + ")");
        line(b, "coapsPort", coapsPort, "UDP port", "CoAP over DTLS 1.2 (PSK, raw public keys); 0 = a free port, negative = off"
                + " (default " + DEFAULT_COAPS_PORT + ")");
        line(b, "mqttsPort", mqttsPort, "TCP port", "MQTT over TLS (client certificate or token); 0 = a free port, negative = off"
                + " (default " + DEFAULT_MQTTS_PORT + ")");
        line(b, "tlsNames", tlsNames.isEmpty() ? "(none)" : String.join(",", tlsNames), "names",
                "extra names in the gateway's TLS certificate besides localhost, 127.0.0.1 (default none)");
        line(b, "rulesFile", analytics.rulesFile(dataDir), "path", "the rules file, watched for edits (default {dataDir}/rules.yaml)");
        line(b, "streamIdleAfter", dev.fieldline.config.ConfigNode.text(analytics.idleAfter()), "duration",
                "a stream not heard from this long is forgotten (default "
                + dev.fieldline.config.ConfigNode.text(StreamAnalyticsConfig.DEFAULT_IDLE_AFTER) + ")");
        line(b, "insightEverySamples", analytics.insightEverySamples(), "samples", "a stream's insight is renewed after this many"
                + " samples (default " + StreamAnalyticsConfig.DEFAULT_INSIGHT_SAMPLES + ")");
        line(b, "insightEvery", dev.fieldline.config.ConfigNode.text(analytics.insightEvery()), "duration",
                "... or after this long, whichever comes first (default "
                + dev.fieldline.config.ConfigNode.text(StreamAnalyticsConfig.DEFAULT_INSIGHT_EVERY) + ")");
        line(b, "secure", secure, "boolean", "devices and API clients must authenticate (default false: plain, local development)");
        line(b, "federated", federated.map(f -> f.model() + " " + f.strategy()).orElse("(none)"), "file",
                "federated-learning rounds (--fl FILE; default none; keys: FederatedConfig.describe())");
        return b.toString();
    }

    private static void line(StringBuilder b, String key, Object value, String type, String meaning) {
        b.append(String.format(Locale.ROOT, "%-20s %-28s # %s; %s%n", key, value, type, meaning));
    }
}
