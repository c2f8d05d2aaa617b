package dev.fieldline.gateway.coap;

import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.protocol.federated.FlAddresses;

import dev.fieldline.gateway.GatewayStartException;
import dev.fieldline.gateway.PortInUseException;
import dev.fieldline.gateway.downlink.Downlink;
import dev.fieldline.gateway.downlink.DownlinkTransport;
import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.CoapResources;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Topics;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.network.Exchange;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.Filter;
import org.eclipse.californium.elements.util.NamedThreadFactory;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's CoAP server (Eclipse Californium, UDP). Devices POST uplinks to
 * {@code /v1/d/{deviceId}/{telemetry|event|status|cmd/result}} and GET + Observe
 * {@code /v1/d/{deviceId}/cmd} for commands. A POST is answered only once {@link Ingest} has
 * committed or refused it (an empty ACK goes out first, then a separate response). Response codes:
 * {@code docs/transports.md}.
 */
public final class CoapIngestServer implements AutoCloseable, DownlinkTransport {
    private static final Logger LOG = LoggerFactory.getLogger(CoapIngestServer.class);
    /** Most devices with a live Observe on their command resource. */
    static final int MAX_OBSERVED_DEVICES = 100_000;
    private static final int PROTOCOL_THREADS = 2;
    /** Recent messages remembered per peer for CoAP deduplication (Californium's per-peer mark-and-sweep). */
    static final int DEDUPLICATION_PER_PEER = 256;

    private final CoapServerConfig config;
    private final Ingest ingest;
    private final Downlink downlink;
    private final Metrics metrics;
    private final CoapAdmission admission;
    private final Clock clock = Clock.systemUTC();
    private final ConcurrentHashMap<String, CommandResource> observed = new ConcurrentHashMap<>();

    private final Optional<CoapsConfig> coaps;

    private CoapServer server;
    private CoapEndpoint endpoint;
    private CoapEndpoint secureEndpoint;
    private DTLSConnector dtlsConnector;
    private ScheduledExecutorService executor;
    private UplinkResource uplinks;
    private volatile FederatedResource federated;
    private volatile ModelResource models;

    public CoapIngestServer(CoapServerConfig config, Ingest ingest, Downlink downlink, Metrics metrics) {
        this(config, ingest, downlink, metrics, CoapAdmission.allowAll());
    }

    /** @param admission refuses uplinks from devices that may not send (4.01, 4.03) */
    public CoapIngestServer(CoapServerConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            CoapAdmission admission) {
        this(config, ingest, downlink, metrics, admission, Optional.empty());
    }

    /**
     * @param admission refuses plain uplinks from devices that may not send (4.01, 4.03)
     * @param coaps a DTLS endpoint beside the plain one, serving the same resources; a request on it
     *     is bound to the device its DTLS peer authenticated as
     */
    public CoapIngestServer(CoapServerConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            CoapAdmission admission, Optional<CoapsConfig> coaps) {
        this.coaps = Objects.requireNonNull(coaps, "coaps");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.config = Objects.requireNonNull(config, "config");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.downlink = Objects.requireNonNull(downlink, "downlink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Binds the UDP endpoint and registers with the downlink hub.
     *
     * @return the bound address (with the actual port when the configured port was 0)
     * @throws PortInUseException naming the port when it is taken
     * @throws GatewayStartException when the endpoint cannot start for another reason
     */
    public synchronized InetSocketAddress start() {
        if (server != null) {
            throw new IllegalStateException("CoAP server already started");
        }
        if (!config.plainEnabled() && coaps.isEmpty()) {
            throw new IllegalStateException("neither a plain nor a coaps endpoint is configured");
        }
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        // never Configuration.getStandard(): it writes Californium3.properties into the working directory
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, config.maxPayloadBytes());
        cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, PROTOCOL_THREADS);
        // Californium's default deduplicator keeps every exchange for EXCHANGE_LIFETIME (247 s), so its
        // memory grows with the message rate (about 3.5 KB an exchange: ~850 MB at 1,000 msg/s);
        // keep a bounded number of recent messages per peer instead. Duplicates older than that are
        // still caught by the store's (device, boot, seq) key.
        cfg.set(CoapConfig.DEDUPLICATOR, CoapConfig.DEDUPLICATOR_PEERS_MARK_AND_SWEEP);
        cfg.set(CoapConfig.PEERS_MARK_AND_SWEEP_MESSAGES, DEDUPLICATION_PER_PEER);
        // block-wise responses (model files) in the largest block CoAP has: half the round trips of 512
        cfg.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);

        server = new CoapServer(cfg);
        executor = ExecutorsUtil.newScheduledThreadPool(PROTOCOL_THREADS, new NamedThreadFactory("fl-coap#"));
        server.setExecutors(executor, ExecutorsUtil.newDefaultSecondaryScheduler("fl-coap-timer#"), false);
        uplinks = new UplinkResource(this);
        server.setMessageDeliverer(new Deliverer(server.getRoot(), cfg));
        if (config.plainEnabled()) {
            endpoint = new CoapEndpoint.Builder()
                    .setConfiguration(cfg)
                    .setInetSocketAddress(new InetSocketAddress(config.bindHost(), config.port()))
                    .build();
            server.addEndpoint(endpoint);
        }
        coaps.ifPresent(c -> {
            dtlsConnector = DtlsEndpoints.serverConnector(cfg, new InetSocketAddress(config.bindHost(), c.port()), c);
            secureEndpoint = new CoapEndpoint.Builder().setConfiguration(cfg).setConnector(dtlsConnector).build();
            server.addEndpoint(secureEndpoint);
        });
        try {
            server.start();
        } catch (IllegalStateException e) {
            server.destroy();
            server = null;
            throw startFailure(e);
        }
        downlink.register(this);
        if (secureEndpoint != null) {
            InetSocketAddress s = secureEndpoint.getAddress();
            LOG.info("CoAPS (DTLS 1.2: PSK, raw public keys) listening on udp {}:{}", s.getHostString(), s.getPort());
        }
        if (endpoint == null) {
            return secureEndpoint.getAddress();
        }
        InetSocketAddress bound = endpoint.getAddress();
        LOG.info("CoAP server listening on udp {}:{} (max body {} bytes)", bound.getHostString(), bound.getPort(),
                config.maxPayloadBytes());
        return bound;
    }

    /**
     * Also serves published models under {@code /v1/models/} ({@link ModelResource}); call before
     * {@link #start}. Responses larger than a datagram go block-wise.
     */
    public synchronized CoapIngestServer withModels(ModelFiles files) {
        this.models = new ModelResource(this, java.util.Objects.requireNonNull(files, "files"));
        return this;
    }

    /** The plain endpoint's address, if it runs. */
    public synchronized Optional<InetSocketAddress> plainAddress() {
        return Optional.ofNullable(endpoint).map(CoapEndpoint::getAddress);
    }

    /** The DTLS endpoint's address, if it runs. */
    public synchronized Optional<InetSocketAddress> secureAddress() {
        return Optional.ofNullable(secureEndpoint).map(CoapEndpoint::getAddress);
    }

    /**
     * Ends the DTLS connections of a device that was disabled or re-keyed (and of every peer whose
     * credential no longer belongs to a device), removing their sessions so they cannot be resumed.
     * A registry revocation listener.
     */
    public void revoke(String deviceId) {
        DTLSConnector connector;
        synchronized (this) {
            connector = dtlsConnector;
        }
        if (connector == null || coaps.isEmpty()) {
            return;
        }
        DeviceDtlsCredentials devices = coaps.get().devices();
        Filter<Principal> revoked = peer -> DtlsEndpoints.names(peer, deviceId)
                || devices.deviceOf(peer).map(d -> d.deviceId().equals(deviceId) || !d.enabled()).orElse(true);
        connector.startTerminateConnectionsForPrincipal(revoked, true);
    }

    /** Californium logs the endpoint's bind error but throws a generic one: find out whether a port is taken. */
    private RuntimeException startFailure(IllegalStateException e) {
        if (config.plainEnabled()) {
            RuntimeException taken = probe(config.port(), "CoAP", "--coap-port");
            if (taken != null) {
                return taken;
            }
        }
        if (coaps.isPresent()) {
            RuntimeException taken = probe(coaps.get().port(), "CoAPS", "--coaps-port");
            if (taken != null) {
                return taken;
            }
        }
        return new GatewayStartException("CoAP server", "could not bind udp " + config.bindHost() + ": " + e.getMessage(), e);
    }

    private RuntimeException probe(int port, String what, String option) {
        if (port == 0) {
            return null;
        }
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(config.bindHost(), port))) {
            probe.getLocalPort();
            return null;
        } catch (BindException taken) {
            return new PortInUseException(what, config.bindHost(), port, option, taken);
        } catch (IOException other) {
            return new GatewayStartException(what + " server", "could not bind udp " + config.bindHost() + ":"
                    + port + ": " + other.getMessage(), other);
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            for (CommandResource r : observed.values()) {
                r.clearObserveRelations();
            }
            observed.clear();
            server.destroy();
            server = null;
            LOG.info("CoAP server{} stopped", (endpoint != null ? " on " + endpoint.getAddress() : "")
                    + (secureEndpoint != null ? " and coaps on " + secureEndpoint.getAddress() : ""));
            endpoint = null;
            secureEndpoint = null;
            dtlsConnector = null;
        }
    }

    /** Serves federated learning under {@code /v1/d/{id}/fl/} ({@link FederatedResource}). Call before {@link #start}. */
    public void useFederated(FederatedService service) {
        federated = new FederatedResource(this, service);
    }

    // ------------------------------------------------------------------ DownlinkTransport

    /**
     * Queues the command on the device's observed {@code cmd} resource and notifies the observer
     * (a confirmable notification; delivered once acknowledged). False if nobody observes it.
     */
    @Override
    public boolean send(String deviceId, Command command) {
        CommandResource r = observed.get(deviceId);
        return r != null && r.getObserverCount() > 0 && r.offer(command);
    }

    @Override
    public boolean reaches(String deviceId) {
        CommandResource r = observed.get(deviceId);
        return r != null && r.getObserverCount() > 0;
    }

    // ------------------------------------------------------------------ for resources

    CoapAdmission admission() {
        return admission;
    }

    /**
     * True if the request may act for {@code deviceId}; otherwise answers it (4.01 unauthenticated,
     * 4.03 disabled or another device's DTLS identity), counts {@code coap_uplink_refused_total{reason}}
     * and returns false.
     */
    boolean admitted(CoapExchange exchange, String deviceId, String what) {
        CoapAdmission.Verdict verdict = admit(exchange.advanced(), deviceId);
        if (verdict == CoapAdmission.Verdict.ALLOW) {
            return true;
        }
        String reason = switch (verdict) {
            case UNAUTHENTICATED -> "unauthenticated";
            case FORBIDDEN -> "disabled";
            case NOT_THIS_DEVICE -> "identity_mismatch";
            case ALLOW -> throw new IllegalStateException();
        };
        metrics.increment("coap_uplink_refused_total", "reason", reason);
        LOG.debug("CoAP {} for {} refused: {}", what, deviceId, reason);
        String diagnostic = switch (verdict) {
            case UNAUTHENTICATED -> "unauthenticated: secure mode needs DTLS (coaps)";
            case FORBIDDEN -> "disabled: the device is disabled";
            default -> "identity_mismatch: the DTLS peer is not device " + deviceId;
        };
        exchange.respond(verdict == CoapAdmission.Verdict.UNAUTHENTICATED ? ResponseCode.UNAUTHORIZED
                : ResponseCode.FORBIDDEN, diagnostic, MediaTypeRegistry.TEXT_PLAIN);
        return false;
    }

    /**
     * What a request may do for {@code deviceId}: a plain request is decided by the
     * {@link CoapAdmission}; a DTLS request only for the device its peer authenticated as
     * ({@link CoapAdmission.Verdict#NOT_THIS_DEVICE} otherwise), and not if that device is disabled.
     */
    CoapAdmission.Verdict admit(Exchange exchange, String deviceId) {
        Principal peer = exchange.getRequest().getSourceContext().getPeerIdentity();
        if (peer == null || coaps.isEmpty()) {
            return admission.admit(deviceId);
        }
        return coaps.get().devices().deviceOf(peer)
                .map(d -> !d.deviceId().equals(deviceId) ? CoapAdmission.Verdict.NOT_THIS_DEVICE
                        : d.enabled() ? CoapAdmission.Verdict.ALLOW : CoapAdmission.Verdict.FORBIDDEN)
                .orElse(CoapAdmission.Verdict.NOT_THIS_DEVICE);
    }

    /**
     * True if the request may fetch models: a DTLS peer that is an enabled device, or a plain request
     * the admission lets through (plain mode); otherwise answers 4.01 or 4.03 and returns false.
     */
    boolean admittedForModels(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        CoapAdmission.Verdict verdict;
        if (peer == null || coaps.isEmpty()) {
            verdict = admission.admit("model-download") == CoapAdmission.Verdict.UNAUTHENTICATED
                    ? CoapAdmission.Verdict.UNAUTHENTICATED : CoapAdmission.Verdict.ALLOW;
        } else {
            verdict = coaps.get().devices().deviceOf(peer).map(d -> d.enabled() ? CoapAdmission.Verdict.ALLOW
                    : CoapAdmission.Verdict.FORBIDDEN).orElse(CoapAdmission.Verdict.NOT_THIS_DEVICE);
        }
        if (verdict == CoapAdmission.Verdict.ALLOW) {
            return true;
        }
        metrics.increment("coap_uplink_refused_total", "reason", verdict == CoapAdmission.Verdict.UNAUTHENTICATED
                ? "unauthenticated" : "disabled");
        exchange.respond(verdict == CoapAdmission.Verdict.UNAUTHENTICATED ? ResponseCode.UNAUTHORIZED : ResponseCode.FORBIDDEN,
                verdict == CoapAdmission.Verdict.UNAUTHENTICATED ? "unauthenticated: secure mode needs DTLS (coaps)"
                        : "forbidden: not an enabled device", MediaTypeRegistry.TEXT_PLAIN);
        return false;
    }

    Ingest ingest() {
        return ingest;
    }

    Downlink downlink() {
        return downlink;
    }

    Metrics metrics() {
        return metrics;
    }

    Clock clock() {
        return clock;
    }

    CoapServerConfig config() {
        return config;
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Counts a request refused before submission as received and rejected, as the pipeline would have. */
    void refused(DecodeError reason) {
        String transport = Transport.COAP.code();
        metrics.increment("ingest_received_total", "transport", transport);
        metrics.increment("ingest_rejected_total", "transport", transport, "reason", reason.code());
    }

    void unobserved(String deviceId, CommandResource resource) {
        if (resource.getObserverCount() == 0) {
            observed.remove(deviceId, resource);
        }
    }

    /** The device and kind a request path names, or empty (then 4.04). */
    static Optional<Topics.Address> address(List<String> uriPath) {
        return CoapResources.parse(uriPath);
    }

    /**
     * Resolves {@code /v1/d/{deviceId}/...} without a resource per device in the tree: uplink kinds
     * share one resource, {@code cmd} gets the device's observable resource (kept while observed).
     */
    private final class Deliverer extends ServerMessageDeliverer {
        Deliverer(Resource root, Configuration config) {
            super(root, config);
        }

        @Override
        protected Resource findResource(Exchange exchange) {
            var options = exchange.getRequest().getOptions();
            if (federated != null && FlAddresses.parseCoap(options.getUriPath()).isPresent()) {
                return federated;
            }
            List<String> segments = options.getUriPath();
            ModelResource m = models;
            if (m != null && segments.size() >= 2 && segments.get(0).equals(CoapResources.ROOT) && segments.get(1).equals("models")) {
                return m;
            }
            Optional<Topics.Address> address = address(options.getUriPath());
            if (address.isEmpty() || address.get().kind() == MessageKind.ACK) {
                metrics.increment("coap_not_found_total");
                return null;
            }
            Topics.Address a = address.get();
            if (a.kind() != MessageKind.COMMAND) {
                return uplinks;
            }
            CommandResource existing = observed.get(a.deviceId());
            if (existing != null) {
                return existing;
            }
            if (options.hasObserve() && observed.size() < MAX_OBSERVED_DEVICES) {
                return observed.computeIfAbsent(a.deviceId(), id -> new CommandResource(id, CoapIngestServer.this, true));
            }
            if (options.hasObserve()) {
                metrics.increment("coap_observe_refused_total");
            }
            return new CommandResource(a.deviceId(), CoapIngestServer.this, false);
        }
    }
}
