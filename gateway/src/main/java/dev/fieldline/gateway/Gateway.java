package dev.fieldline.gateway;

import dev.fieldline.analytics.engine.EngineConfig;
import dev.fieldline.analytics.engine.NamedDetector;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.window.WindowResult;
import dev.fieldline.gateway.actions.GatewayActions;
import dev.fieldline.gateway.actions.GatewayActionsBuilder;
import dev.fieldline.gateway.cloud.CloudSelection;
import dev.fieldline.gateway.cloud.CloudSync;
import dev.fieldline.gateway.cloud.CloudSyncConfig;
import dev.fieldline.gateway.analytics.SensorFaultRule;
import dev.fieldline.gateway.analytics.StreamAnalytics;
import dev.fieldline.gateway.analytics.StoredInsights;
import dev.fieldline.gateway.analytics.ThresholdConfig;
import dev.fieldline.gateway.analytics.ThresholdRule;
import dev.fieldline.gateway.coap.CoapAdmission;
import dev.fieldline.gateway.coap.CoapIngestServer;
import dev.fieldline.gateway.coap.CoapServerConfig;
import dev.fieldline.gateway.coap.CoapsConfig;
import dev.fieldline.gateway.coap.DeviceDtlsCredentials;
import dev.fieldline.gateway.registry.DeviceKey;
import dev.fieldline.gateway.security.GatewayCa;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.security.Pem;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.gateway.http.HttpApi;
import dev.fieldline.gateway.http.EnrollmentTrust;
import dev.fieldline.gateway.http.HttpApiConfig;
import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.ingest.RepeatedFailureAlarm;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.mqtt.BrokerIngest;
import dev.fieldline.gateway.mqtt.BrokerIngestConfig;
import dev.fieldline.gateway.mqtt.MqttEndpoint;
import dev.fieldline.gateway.mqtt.MqttEndpointConfig;
import dev.fieldline.gateway.mqtt.RegistryAuthenticator;
import dev.fieldline.gateway.registry.AdminBootstrap;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.SignatureCheck;
import dev.fieldline.gateway.rules.ActionRunner;
import dev.fieldline.gateway.rules.DeviceLabels;
import dev.fieldline.gateway.rules.RuleEngine;
import dev.fieldline.gateway.rules.RuleFile;
import dev.fieldline.gateway.rules.RuleParser;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.Severity;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: store, ingest pipeline, threshold analytics, command hub, web API, and the
 * device transports the configuration enables (embedded MQTT endpoint, CoAP server, external broker
 * subscription). {@link #start} brings them up in that order and, if one fails, closes what it had
 * started and throws; {@link #close} stops them in reverse order, the store last so every message
 * already acknowledged is committed.
 */
public final class Gateway implements AutoCloseable {
    /** Provenance refusals of one device within the window that raise a critical alert. */
    static final int PROVENANCE_ALERT_THRESHOLD = 5;
    static final java.time.Duration PROVENANCE_ALERT_WINDOW = java.time.Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final Metrics metrics;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();
    private SqliteStore store;
    private DeviceRegistry registry;
    private IngestPipeline pipeline;
    private DefaultDownlink downlink;
    private ActionRunner actions;
    private InetSocketAddress http;
    private InetSocketAddress mqtt;
    private InetSocketAddress coap;
    private InetSocketAddress coaps;
    private InetSocketAddress mqtts;
    private final Optional<ActionRunner> actionsOverride;
    private RuleEngine rules;
    private RuleFile ruleFile;
    private StreamAnalytics streams;
    private CloudSync cloud;
    private FederatedService federated;
    private GatewayCa ca;
    private GatewayIdentity identity;
    private dev.fieldline.gateway.models.ModelRegistry models;
    private boolean closed;

    private Gateway(GatewayConfig config, Optional<ActionRunner> actions) {
        this.config = config;
        this.metrics = new Metrics();
        this.actionsOverride = actions;
    }

    /**
     * Starts a gateway.
     *
     * @throws PortInUseException if a listener's port is taken (names the port and the option)
     * @throws GatewayException for any other start failure (unreadable data dir, newer schema, broker unreachable)
     */
    public static Gateway start(GatewayConfig config) {
        return start(config, Optional.empty());
    }

    /**
     * Starts a gateway whose rules' actions go to {@code actions} instead of the gateway's own
     * runner (for embedding and tests).
     */
    public static Gateway start(GatewayConfig config, ActionRunner actions) {
        return start(config, Optional.of(actions));
    }

    private static Gateway start(GatewayConfig config, Optional<ActionRunner> actions) {
        Gateway g = new Gateway(config, actions);
        try {
            g.startAll();
        } catch (RuntimeException e) {
            g.close();
            throw e;
        }
        return g;
    }

    private void startAll() {
        Clock clock = Clock.systemUTC();
        store = SqliteStore.open(SqliteStoreConfig.defaults(config.dataDir()).withQueueCapacity(config.ingestQueueCapacity()),
                metrics);
        running.push(store);
        registry = DeviceRegistry.open(config.dataDir(), clock);
        running.push(registry);
        if (config.secure()) {
            AdminBootstrap.ensureAdminToken(registry, config.dataDir());
        }
        pipeline = new IngestPipeline(store, metrics, config.limits(), clock,
                new SignatureCheck(registry, config.limits(), config.secure()),
                Optional.of(new RepeatedFailureAlarm(store, metrics, clock, PROVENANCE_ALERT_THRESHOLD, PROVENANCE_ALERT_WINDOW)));
        downlink = new DefaultDownlink(store, metrics, config.limits(), clock);
        pipeline.addListener(new ThresholdRule(new ThresholdConfig(config.alertThreshold(), config.alertMetrics(), Severity.WARNING),
                store, metrics, clock));
        pipeline.addListener(new SensorFaultRule(store, metrics, clock,
                store.devices().stream().flatMap(d -> d.status().stream()).toList()));
        pipeline.addListener(downlink);
        // the cloud uplink, when configured: selected readings on commit, anomalies and aggregates from
        // the stream engine, and the rules' forward action
        config.analytics().cloudFile().ifPresent(file -> {
            cloud = CloudSync.start(CloudSyncConfig.load(file), config.dataDir(), metrics, clock);
            running.push(cloud);
            pipeline.addListener(cloud);
            CloudSync sync = cloud;
            store.addAlertListener(a -> {
                if (a.count() == 1) { // a new alert; repeats of an open one only bump its count
                    sync.alert(a);
                }
            });
        });
        actions = actionsOverride.orElseGet(() -> {
            GatewayActionsBuilder b = GatewayActions.builder(store, downlink, metrics);
            if (cloud != null) {
                b = b.cloud(cloud);
            }
            GatewayActions own = b.build();
            running.push(own);
            return own;
        });
        rules = new RuleEngine(actions, deviceLabels(), metrics, clock);
        EngineConfig engineConfig = EngineConfig.defaults(); // the registry's default detector, the best ensemble on NAB
        StreamAnalytics.Outputs outputs = StreamAnalytics.Outputs.NONE;
        if (cloud != null) {
            CloudSync sync = cloud;
            Optional<CloudSelection.Aggregates> aggregates = sync.config().selection().aggregates();
            if (aggregates.isPresent()) {
                engineConfig = engineConfig.toBuilder().windows(List.of(aggregates.get().window())).build();
            }
            outputs = new StreamAnalytics.Outputs() {
                @Override
                public void observed(Observation o) {
                    sync.anomaly(o);
                }

                @Override
                public void windowClosed(WindowResult w) {
                    sync.aggregate(w);
                }
            };
        }
        RuleParser ruleParser = new RuleParser(actions, engineConfig.detectors().stream().map(NamedDetector::name).toList());
        ruleFile = RuleFile.open(config.analytics().rulesFile(config.dataDir()), ruleParser, rules, metrics).watch();
        running.push(ruleFile);
        streams = new StreamAnalytics(engineConfig, rules, new StoredInsights(store, metrics, clock), metrics, clock, config.analytics(),
                outputs);
        running.push(streams);
        pipeline.addListener(streams);

        models = dev.fieldline.gateway.models.ModelRegistry.open(config.dataDir(), identity(), downlink, store, clock);
        running.push(models);
        pipeline.addListener(models);

        config.federated().ifPresent(f -> {
            federated = FederatedService.start(f, store.file(), metrics, clock);
            running.push(federated);
            // every new global model becomes a signed model version (fl-mlp, fl-cnn), rolled out as configured
            dev.fieldline.gateway.models.FederatedPublisher publisher =
                    new dev.fieldline.gateway.models.FederatedPublisher(models, f.rollout());
            federated.addListener(publisher);
            running.push(publisher);
        });

        if (config.httpEnabled()) {
            HttpApi api = new HttpApi(new HttpApiConfig(config.bindHost(), config.httpPort(), config.limits()), pipeline,
                    downlink, store, metrics, this::listeners, clock, registry, config.secure(), Optional.of(enrollmentTrust()))
                    .withRules(ruleFile, rules, ruleParser).withStreams(streams).withModels(models);
            if (federated != null) {
                api.withFederated(federated);
            }
            http = api.start();
            running.push(api);
        }
        int maxPayload = config.limits().maxPayloadBytes();
        if (config.mqttEnabled()) {
            MqttEndpoint endpoint = new MqttEndpoint(new MqttEndpointConfig(config.bindHost(), config.mqttPort(), maxPayload),
                    pipeline, downlink, metrics, new RegistryAuthenticator(registry, config.secure()));
            registry.addRevocationListener(endpoint::revoke);
            if (federated != null) {
                endpoint.useFederated(federated);
            }
            mqtt = endpoint.start();
            running.push(endpoint);
        }
        if (config.mqttsEnabled()) {
            MqttEndpoint tlsEndpoint = new MqttEndpoint(new MqttEndpointConfig(config.bindHost(), config.mqttsPort(), maxPayload),
                    pipeline, downlink, metrics, new RegistryAuthenticator(registry, config.secure()), Optional.of(tlsServer()));
            registry.addRevocationListener(tlsEndpoint::revoke);
            if (federated != null) {
                tlsEndpoint.useFederated(federated);
            }
            mqtts = tlsEndpoint.start();
            running.push(tlsEndpoint);
        }
        if (config.coapEnabled() || config.coapsEnabled()) {
            Optional<CoapsConfig> dtls = config.coapsEnabled()
                    ? Optional.of(new CoapsConfig(config.coapsPort(), identity().keyPair(), new DeviceDtlsCredentials(registry)))
                    : Optional.empty();
            CoapIngestServer server = new CoapIngestServer(new CoapServerConfig(config.bindHost(), config.coapPort(), maxPayload),
                    pipeline, downlink, metrics, coapAdmission(), dtls).withModels(modelFiles());
            if (federated != null) {
                server.useFederated(federated);
            }
            server.start();
            coap = server.plainAddress().orElse(null);
            coaps = server.secureAddress().orElse(null);
            registry.addRevocationListener(server::revoke);
            running.push(server);
        }
        if (config.externalBroker().isPresent()) {
            BrokerIngestConfig brokerConfig = new BrokerIngestConfig(config.externalBroker().get(), config.brokerClientId(),
                    config.brokerShareGroup());
            if ("ssl".equals(config.externalBroker().get().getScheme())) {
                brokerConfig = brokerConfig.withTls(brokerTls());
            }
            BrokerIngest broker = new BrokerIngest(brokerConfig, pipeline, downlink, metrics, store);
            broker.start();
            running.push(broker);
        }
        models.httpBase(this::httpBase);
        log.info("Fieldline gateway started ({}): data {}; {}", mode(), store.file().toAbsolutePath(), listeners());
        announceSecurityMode();
    }

    /** The published models as the CoAP server serves them. */
    private dev.fieldline.gateway.coap.ModelFiles modelFiles() {
        dev.fieldline.gateway.models.ModelRegistry m = models;
        return new dev.fieldline.gateway.coap.ModelFiles() {
            @Override
            public Optional<byte[]> file(String name, long version) {
                return m.version(name, version).map(v -> m.file(name, version));
            }

            @Override
            public Optional<byte[]> signedManifest(String name, long version) {
                return m.version(name, version).map(v -> m.signedManifest(name, version));
            }
        };
    }

    /** Where HTTP clients reach the web API, for model offers: {@code http://host:port}. */
    private Optional<String> httpBase() {
        if (http == null) {
            return Optional.empty();
        }
        String host = http.getAddress() != null && http.getAddress().isAnyLocalAddress() ? "localhost" : http.getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return Optional.of("http://" + host + ":" + http.getPort());
    }

    /** What an enrolling device receives to use coaps and mqtts: its certificate, the CA, the DTLS key. */
    private EnrollmentTrust enrollmentTrust() {
        return new EnrollmentTrust() {
            @Override
            public String deviceCertificatePem(String deviceId) {
                return Pem.certificate(deviceCertificate(deviceId));
            }

            @Override
            public String caCertificatePem() {
                return Pem.certificate(certificateAuthority().certificate());
            }

            @Override
            public byte[] dtlsServerPublicKey() {
                return identity().publicKey().getEncoded();
            }
        };
    }

    /** The gateway's own key pair, created on first use in {@code {dataDir}/gateway-identity/}. */
    private synchronized GatewayIdentity identity() {
        if (identity == null) {
            identity = GatewayIdentity.loadOrCreate(config.dataDir());
        }
        return identity;
    }

    /** The gateway's certificate authority, created on first use in {@code {dataDir}/ca/}. */
    public synchronized GatewayCa certificateAuthority() {
        if (ca == null) {
            ca = GatewayCa.loadOrCreate(config.dataDir(), Clock.systemUTC());
        }
        return ca;
    }

    /**
     * A client certificate from the gateway CA for the device's enrolled key (CN = device id), for MQTT
     * over TLS. @throws IllegalArgumentException if the device is not enrolled
     */
    public X509Certificate deviceCertificate(String deviceId) {
        PublicKey key = registry.device(deviceId).flatMap(DeviceKey::publicKey)
                .orElseThrow(() -> new IllegalArgumentException("deviceId '" + deviceId + "' is not enrolled"));
        return certificateAuthority().deviceCertificate(deviceId, key);
    }

    /** TLS 1.3/1.2 server context: the gateway key certified by its CA; client certificates optional, trusted if from the CA. */
    private SslContext tlsServer() {
        GatewayCa authority = certificateAuthority();
        X509Certificate server = authority.serverCertificate(identity().publicKey(), config.tlsNames());
        try {
            return SslContextBuilder.forServer(identity().privateKey(), server, authority.certificate())
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .trustManager(authority.certificate())
                    .clientAuth(ClientAuth.OPTIONAL)
                    .build();
        } catch (javax.net.ssl.SSLException e) {
            throw new GatewayStartException("MQTT TLS", "cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * TLS to an {@code ssl://} external broker: the gateway key with a client certificate from its CA
     * (CN {@link GatewayCa#BROKER_GATEWAY_USER}, issued at every start), trusting the gateway CA (a
     * broker configured by {@code fieldline gateway mosquitto-config}) and the JDK's CAs.
     */
    private javax.net.ssl.SSLSocketFactory brokerTls() {
        GatewayCa authority = certificateAuthority();
        X509Certificate cert = authority.brokerClientCertificate(identity().publicKey());
        return dev.fieldline.gateway.security.ClientTls.socketFactory(identity().privateKey(),
                java.util.List.of(cert, authority.certificate()), authority.certificate(), true);
    }

    /** Secure mode refuses every plain CoAP uplink (no authentication without DTLS); plain mode only disabled devices. */
    private CoapAdmission coapAdmission() {
        if (config.secure()) {
            return deviceId -> CoapAdmission.Verdict.UNAUTHENTICATED;
        }
        return deviceId -> registry.isDisabled(deviceId) ? CoapAdmission.Verdict.FORBIDDEN : CoapAdmission.Verdict.ALLOW;
    }

    private void announceSecurityMode() {
        if (!config.secure()) {
            log.warn("PLAIN mode: devices are not authenticated; for local development only"
                    + " (the web API is open to anonymous reads and writes; start with --secure to require credentials)");
            return;
        }
        log.info("SECURE mode: MQTT devices authenticate with their enrollment token; the web API needs bearer tokens");
        if (config.coapEnabled()) {
            log.warn("SECURE mode: plain CoAP requests are refused (4.01); devices use CoAP over DTLS{}",
                    coaps != null ? " on udp port " + coaps.getPort() : ", which is switched off (coapsPort)");
        }
        if (config.externalBroker().isPresent()) {
            log.warn("SECURE mode: messages from the external broker {} are trusted as the broker authenticated them;"
                    + " configure the broker's authentication and ACLs", config.externalBroker().get());
        }
    }

    private String mode() {
        if (config.externalBroker().isPresent()) {
            return config.mqttEnabled() ? "embedded MQTT endpoint and external broker" : "external broker";
        }
        return config.mqttEnabled() ? "embedded MQTT endpoint" : "no MQTT";
    }

    /** What listens where, by name: {@code http}, {@code mqtt}, {@code coap}, {@code broker}. */
    public Map<String, String> listeners() {
        Map<String, String> m = new LinkedHashMap<>();
        if (http != null) {
            m.put("http", hostPort(http));
        }
        if (mqtt != null) {
            m.put("mqtt", hostPort(mqtt));
        }
        if (mqtts != null) {
            m.put("mqtts", hostPort(mqtts));
        }
        if (coap != null) {
            m.put("coap", hostPort(coap) + "/udp");
        }
        if (coaps != null) {
            m.put("coaps", hostPort(coaps) + "/udp");
        }
        config.externalBroker().ifPresent(b -> m.put("broker", b.toString()));
        return m;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getHostString() + ":" + a.getPort();
    }

    public GatewayConfig config() {
        return config;
    }

    /** The web API's address. */
    public InetSocketAddress httpAddress() {
        if (http == null) {
            throw new IllegalStateException("the web API is disabled (httpPort " + config.httpPort() + ")");
        }
        return http;
    }

    public Optional<InetSocketAddress> mqttAddress() {
        return Optional.ofNullable(mqtt);
    }

    /** The MQTT-over-TLS endpoint's address, if it runs. */
    public Optional<InetSocketAddress> mqttsAddress() {
        return Optional.ofNullable(mqtts);
    }

    public Optional<InetSocketAddress> coapAddress() {
        return Optional.ofNullable(coap);
    }

    /** The CoAP-over-DTLS endpoint's address, if it runs. */
    public Optional<InetSocketAddress> coapsAddress() {
        return Optional.ofNullable(coaps);
    }

    public Metrics metrics() {
        return metrics;
    }

    public Ingest ingest() {
        return pipeline;
    }

    /** The command hub (also {@link DefaultDownlink#submit} for creating commands with an answer). */
    public DefaultDownlink downlink() {
        return downlink;
    }

    /** What rules' actions run through (alert, command, webhook, forward). */
    public ActionRunner actions() {
        return actions;
    }

    /** Operator labels of devices, for scoping rules: served from memory, updated when a label change commits. */
    public DeviceLabels deviceLabels() {
        return store::labels;
    }

    /** Device keys, tokens and API tokens. */
    public DeviceRegistry registry() {
        return registry;
    }

    /** The rule engine: the rules in force and their state per stream. */
    public RuleEngine rules() {
        return rules;
    }

    /** The cloud uplink, when {@code --cloud} configured one. */
    public Optional<CloudSync> cloud() {
        return Optional.ofNullable(cloud);
    }

    /** The stream analytics: statistics, detectors and trend per (device, metric). */
    public StreamAnalytics streams() {
        return streams;
    }

    /** The federated-learning round service, when {@code --fl} configured one. */
    public Optional<FederatedService> federated() {
        return Optional.ofNullable(federated);
    }

    /** The rules file the rule engine's rules come from. */
    public RuleFile ruleFile() {
        return ruleFile;
    }

    public TelemetryStore store() {
        return store;
    }

    /** Published model versions and their delivery to devices. */
    public dev.fieldline.gateway.models.ModelRegistry models() {
        return models;
    }

    /** Stops the transports, then the web API, then commits what is queued and closes the store. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean started = http != null || store != null;
        while (!running.isEmpty()) {
            AutoCloseable c = running.pop();
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c.getClass().getSimpleName(), e);
            }
        }
        if (started) {
            log.info("Fieldline gateway stopped");
        }
    }
}
