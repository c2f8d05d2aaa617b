package dev.fieldline.gateway.coap;

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
import org.eclipse.californium.core.server.ServerMessageDeliverer;
import org.eclipse.californium.core.server.resources.Resource;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;
import org.eclipse.californium.elements.util.NamedThreadFactory;
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

    private final CoapServerConfig config;
    private final Ingest ingest;
    private final Downlink downlink;
    private final Metrics metrics;
    private final CoapAdmission admission;
    private final Clock clock = Clock.systemUTC();
    private final ConcurrentHashMap<String, CommandResource> observed = new ConcurrentHashMap<>();

    private CoapServer server;
    private CoapEndpoint endpoint;
    private ScheduledExecutorService executor;
    private UplinkResource uplinks;

    public CoapIngestServer(CoapServerConfig config, Ingest ingest, Downlink downlink, Metrics metrics) {
        this(config, ingest, downlink, metrics, CoapAdmission.allowAll());
    }

    /** @param admission refuses uplinks from devices that may not send (4.01, 4.03) */
    public CoapIngestServer(CoapServerConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            CoapAdmission admission) {
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
            throw new IllegalStateException("CoAP server already started on " + endpoint.getAddress());
        }
        CoapConfig.register();
        UdpConfig.register();
        // never Configuration.getStandard(): it writes Californium3.properties into the working directory
        Configuration cfg = Configuration.createStandardWithoutFile();
        cfg.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, config.maxPayloadBytes());
        cfg.set(CoapConfig.PROTOCOL_STAGE_THREAD_COUNT, PROTOCOL_THREADS);

        endpoint = new CoapEndpoint.Builder()
                .setConfiguration(cfg)
                .setInetSocketAddress(new InetSocketAddress(config.bindHost(), config.port()))
                .build();
        server = new CoapServer(cfg);
        executor = ExecutorsUtil.newScheduledThreadPool(PROTOCOL_THREADS, new NamedThreadFactory("fl-coap#"));
        server.setExecutors(executor, ExecutorsUtil.newDefaultSecondaryScheduler("fl-coap-timer#"), false);
        uplinks = new UplinkResource(this);
        server.setMessageDeliverer(new Deliverer(server.getRoot(), cfg));
        server.addEndpoint(endpoint);
        try {
            server.start();
        } catch (IllegalStateException e) {
            server.destroy();
            server = null;
            throw startFailure(e);
        }
        downlink.register(this);
        InetSocketAddress bound = endpoint.getAddress();
        LOG.info("CoAP server listening on udp {}:{} (max body {} bytes)", bound.getHostString(), bound.getPort(),
                config.maxPayloadBytes());
        return bound;
    }

    /** Californium logs the endpoint's bind error but throws a generic one: find out whether the port is taken. */
    private RuntimeException startFailure(IllegalStateException e) {
        if (config.port() != 0) {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(config.bindHost(), config.port()))) {
                probe.getLocalPort();
            } catch (BindException taken) {
                return new PortInUseException("CoAP", config.bindHost(), config.port(), "--coap-port", taken);
            } catch (IOException other) {
                return new GatewayStartException("CoAP server", "could not bind udp " + config.bindHost() + ":"
                        + config.port() + ": " + other.getMessage(), other);
            }
        }
        return new GatewayStartException("CoAP server", "could not bind udp " + config.bindHost() + ":" + config.port()
                + ": " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            for (CommandResource r : observed.values()) {
                r.clearObserveRelations();
            }
            observed.clear();
            InetSocketAddress address = endpoint.getAddress();
            server.destroy();
            server = null;
            LOG.info("CoAP server on {} stopped", address);
        }
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
