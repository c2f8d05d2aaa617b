package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.GatewayStartException;
import dev.fieldline.gateway.PortInUseException;
import dev.fieldline.gateway.downlink.Downlink;
import dev.fieldline.gateway.downlink.DownlinkTransport;
import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Command;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own device-facing MQTT endpoint (MQTT 3.1.1 and 5 on Netty). Not a general broker:
 * devices publish uplinks to {@code fl/v1/{deviceId}/{telemetry|event|status|cmd/result}} and
 * subscribe to their own {@code fl/v1/{deviceId}/cmd} and {@code .../ack}. A QoS 1 PUBLISH is
 * acknowledged only once {@link Ingest} has committed it, in arrival order. Behaviour, reason codes
 * and counters: {@code docs/transports.md}.
 *
 * <p>Sessions are not persisted: every CONNACK says {@code sessionPresent=false}, subscriptions and
 * in-flight messages end with the connection (devices keep their own journal and resend what the
 * gateway did not acknowledge).
 */
public final class MqttEndpoint implements AutoCloseable, DownlinkTransport {
    private static final Logger LOG = LoggerFactory.getLogger(MqttEndpoint.class);
    /** Room for the fixed and variable header (topic, properties) on top of the payload limit. */
    static final int HEADER_ROOM = 4096;
    /** Longest client id the decoder lets through (device ids are at most 64 characters). */
    private static final int MAX_CLIENT_ID_LENGTH = 64;

    private final MqttEndpointConfig config;
    private final Ingest ingest;
    private final Downlink downlink;
    private final Metrics metrics;
    private final MqttAuthenticator authenticator;
    private final Optional<SslContext> tls;
    private final UplinkIntake intake;
    private final Clock clock = Clock.systemUTC();
    private final ConcurrentHashMap<String, MqttConnection> sessions = new ConcurrentHashMap<>();

    private EventLoopGroup bossGroup;
    private EventLoopGroup ioGroup;
    private Channel serverChannel;
    private volatile boolean closing;
    /** Federated uplinks queued for the service beyond which PUBLISHes are refused. */
    static final int FEDERATED_QUEUE = 256;
    private volatile FederatedService federated;
    private volatile java.util.concurrent.ExecutorService federatedExecutor;

    public MqttEndpoint(MqttEndpointConfig config, Ingest ingest, Downlink downlink, Metrics metrics) {
        this(config, ingest, downlink, metrics, MqttAuthenticator.acceptAll());
    }

    public MqttEndpoint(MqttEndpointConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            MqttAuthenticator authenticator) {
        this(config, ingest, downlink, metrics, authenticator, Optional.empty());
    }

    /**
     * @param tls a server TLS context: every connection starts with a TLS handshake (MQTT over TLS,
     *     {@code mqtts}); a client certificate it verified reaches the authenticator
     */
    public MqttEndpoint(MqttEndpointConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            MqttAuthenticator authenticator, Optional<SslContext> tls) {
        this.tls = Objects.requireNonNull(tls, "tls");
        this.config = Objects.requireNonNull(config, "config");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.downlink = Objects.requireNonNull(downlink, "downlink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.intake = new UplinkIntake(metrics, Transport.MQTT);
    }

    /**
     * Binds the endpoint and registers it with the downlink hub.
     *
     * @return the bound address (with the actual port when the configured port was 0)
     * @throws PortInUseException naming the port when it is taken
     * @throws GatewayStartException when it cannot listen for another reason (unknown host...)
     */
    public synchronized InetSocketAddress start() {
        if (serverChannel != null) {
            throw new IllegalStateException("MQTT endpoint already started on " + serverChannel.localAddress());
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fl-mqtt-boss"), NioIoHandler.newFactory());
        ioGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("fl-mqtt-io"), NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        tls.ifPresent(t -> ch.pipeline().addLast("tls", t.newHandler(ch.alloc())));
                        ch.pipeline()
                                .addLast(MqttConnection.IDLE_HANDLER, new IdleStateHandler(
                                        MqttConnection.CONNECT_TIMEOUT.toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("decoder", new MqttDecoder(config.maxPayloadBytes() + HEADER_ROOM, MAX_CLIENT_ID_LENGTH))
                                .addLast("encoder", MqttEncoder.INSTANCE)
                                .addLast("mqtt", new MqttConnection(MqttEndpoint.this));
                    }
                });
        ChannelFuture bind = bootstrap.bind(config.bindHost(), config.port()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            shutdownGroups();
            Throwable cause = bind.cause();
            if (cause instanceof BindException) {
                throw new PortInUseException(tls.isPresent() ? "MQTTS" : "MQTT", config.bindHost(), config.port(),
                        tls.isPresent() ? "--mqtts-port" : "--mqtt-port", cause);
            }
            throw new GatewayStartException("MQTT endpoint", "could not listen on " + config.bindHost() + ":"
                    + config.port() + ": " + cause.getMessage(), cause);
        }
        serverChannel = bind.channel();
        downlink.register(this);
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("MQTT endpoint listening on {}:{}{} (max payload {} bytes)", bound.getHostString(), bound.getPort(),
                tls.isPresent() ? " over TLS" : "",
                config.maxPayloadBytes());
        return bound;
    }

    /** Closes every connection (without publishing their wills: the devices did nothing wrong) and the listener. */
    @Override
    public synchronized void close() {
        closing = true;
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        for (MqttConnection c : sessions.values()) {
            c.shutDown();
        }
        shutdownGroups();
        if (federatedExecutor != null) {
            federatedExecutor.shutdownNow();
        }
        if (serverChannel != null) {
            LOG.info("MQTT endpoint on {} stopped", serverChannel.localAddress());
            serverChannel = null;
        }
    }

    private void shutdownGroups() {
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            bossGroup = null;
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            ioGroup = null;
        }
    }

    // ------------------------------------------------------------------ DownlinkTransport

    /**
     * Publishes the command (CBOR, QoS 1 unless the device subscribed at QoS 0) to
     * {@code fl/v1/{deviceId}/cmd} if the device is connected and subscribed to it. The hub hears
     * {@link Downlink#delivered} when the device's PUBACK arrives.
     */
    @Override
    public boolean send(String deviceId, Command command) {
        MqttConnection c = sessions.get(deviceId);
        return c != null && c.sendCommand(command);
    }

    @Override
    public boolean reaches(String deviceId) {
        MqttConnection c = sessions.get(deviceId);
        return c != null && c.subscribedToCommands();
    }

    // ------------------------------------------------------------------ federated learning

    /**
     * Carries federated-learning messages ({@code fl/v1/{id}/fl/...}, docs/protocol.md §10): uplinks go
     * to the service on a thread of their own (bounded: a full queue refuses the PUBLISH), answers and
     * pushed tasks are published to the device's federated topics it subscribed to. Call before {@link #start}.
     */
    public synchronized void useFederated(FederatedService service) {
        this.federated = service;
        this.federatedExecutor = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(FEDERATED_QUEUE), new DefaultThreadFactory("fl-mqtt-federated", true));
        service.register((deviceId, message) -> {
            MqttConnection c = sessions.get(deviceId);
            return c != null && c.sendFederated(message);
        });
    }

    /** The federated service, or null when the gateway runs no rounds. */
    FederatedService federated() {
        return federated;
    }

    java.util.concurrent.ExecutorService federatedExecutor() {
        return federatedExecutor;
    }

    // ------------------------------------------------------------------ for connections

    MqttEndpointConfig config() {
        return config;
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

    MqttAuthenticator authenticator() {
        return authenticator;
    }

    UplinkIntake intake() {
        return intake;
    }

    Clock clock() {
        return clock;
    }

    boolean closing() {
        return closing;
    }

    /** Registers a connection for its device; returns the connection it takes over, if any. */
    MqttConnection attach(String deviceId, MqttConnection connection) {
        return sessions.put(deviceId, connection);
    }

    void detach(String deviceId, MqttConnection connection) {
        sessions.remove(deviceId, connection);
    }

    /**
     * Closes the device's live connection, if any, because it was disabled or re-keyed (without its
     * will; MQTT 5 clients get DISCONNECT "not authorized"). Its next CONNECT meets the authenticator.
     */
    public void revoke(String deviceId) {
        MqttConnection c = sessions.get(deviceId);
        if (c != null) {
            c.revoke();
        }
    }

    /** Number of devices connected now. */
    public int connectedDevices() {
        return sessions.size();
    }
}
