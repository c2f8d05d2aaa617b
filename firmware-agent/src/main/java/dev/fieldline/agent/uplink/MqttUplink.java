package dev.fieldline.agent.uplink;

import dev.fieldline.protocol.federated.FlAddresses;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import java.util.Optional;

import dev.fieldline.agent.internal.NamedThreads;
import dev.fieldline.agent.uplink.UplinkException.Failure;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Topics;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5 uplink on Eclipse Paho: client id = device id, QoS 1, clean start, in-memory
 * persistence, TCP_NODELAY. The last will is the device's OFFLINE status, retained, on
 * {@code fl/v1/{id}/status}. Subscribes {@code fl/v1/{id}/cmd} at QoS 1 on every connect. Every
 * publish carries the MQTT 5 content type. Status messages are published retained. In-flight
 * publishes are limited by {@link #maxInFlight()}, which respects the broker's Receive Maximum.
 *
 * <p><b>One Paho client per connection attempt.</b> Paho 1.2.5 carries state from one connection
 * of a client to the next that breaks the next one: QoS 1 PUBLISHes in flight at a loss are resent
 * with the old connection's topic alias and no topic (Mosquitto: DISCONNECT 0x82 at every reconnect,
 * for ever; paho.mqtt.java #916, #1104), and a PUBACK queued after a loss can stop the sender thread
 * before CONNECT or SUBSCRIBE is written. So every attempt gets a new client, a lost or abandoned one
 * is closed for good, and its unconfirmed publishes fail (the journal sends them again, topic and
 * all, on the next connection; nothing is acknowledged that the broker did not confirm). Outgoing
 * topic aliases are switched off as well. Watchdogs bound each step: no CONNACK within the connect
 * timeout, or no SUBACK within the subscribe timeout, and the attempt is dropped and retried with
 * backoff ({@link #connectTimeouts()}, {@link #subscribeTimeouts()}).
 */
public final class MqttUplink implements Uplink {
    /** Longest wait for TCP, TLS and CONNACK before the attempt is dropped and retried. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest wait for the SUBACK before the connection is dropped and made again. */
    public static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);

    /** The device token, when enrolled; read at every connection attempt. */
    private volatile byte[] password;
    /** TLS client sockets for {@code ssl://}; required before {@link #start} for that scheme. */
    private volatile javax.net.ssl.SSLSocketFactory tls;

    private static final Logger log = LoggerFactory.getLogger(MqttUplink.class);
    /** Publishes kept free for status messages beyond the sender's window. */
    private static final int STATUS_RESERVE = 2;

    private final URI server;
    private final String deviceId;
    private final PayloadFormat format;
    private final ReconnectPolicy policy;
    private final int configuredMaxInFlight;
    private final byte[] lastWill;
    private final MessageCodec codec = new MessageCodec();
    private final AtomicLong linkIds = new AtomicLong();
    private final AtomicLong connectTimeouts = new AtomicLong();
    private final AtomicLong subscribeTimeouts = new AtomicLong();

    private volatile Duration connectTimeout = CONNECT_TIMEOUT;
    private volatile Duration subscribeTimeout = SUBSCRIBE_TIMEOUT;
    private volatile boolean ackMessages;
    private volatile boolean closed;
    private volatile int serverReceiveMaximum = 65_535;
    private volatile UplinkListener listener;
    /** The current connection or attempt; null before the first attempt and after a loss. */
    private volatile Link link;
    private boolean started;
    /** Runs connection attempts, watchdogs and loss handling, one at a time. */
    private ScheduledExecutorService scheduler;
    /** Closes abandoned Paho clients (a close may block; it never holds up the scheduler). */
    private ExecutorService closer;
    private Reconnector reconnector;

    /**
     * Logs in with username = device id and this password (the enrolled device token) from the next
     * connection on; a gateway in secure mode refuses connections without it. A secret: never logged.
     */
    public void useCredentials(byte[] devicePassword) {
        this.password = devicePassword.clone();
    }

    /**
     * Also subscribes {@code fl/v1/{id}/ack} at every connect and hands the gateway's ack messages to
     * {@link UplinkListener#ack} (uplink-commit: ack-message). Call before {@link #start}.
     */
    private volatile boolean federated;
    private final FlCodec flCodec = new FlCodec();

    public void useAckMessages() {
        this.ackMessages = true;
    }

    /** Other CONNACK and SUBACK time limits (tests). Call before {@link #start}. */
    void useTimeouts(Duration connect, Duration subscribe) {
        if (connect.isNegative() || connect.isZero() || subscribe.isNegative() || subscribe.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive, were " + connect + " and " + subscribe);
        }
        this.connectTimeout = connect;
        this.subscribeTimeout = subscribe;
    }

    /**
     * The TLS sockets for an {@code ssl://} server (a {@link TlsSocketFactory} with the device's
     * client certificate); the server certificate's names are verified against the host. Call before
     * {@link #start}.
     */
    public void useTls(javax.net.ssl.SSLSocketFactory factory) {
        if (!isTls()) {
            throw new IllegalStateException("TLS needs an ssl:// server, not " + server);
        }
        this.tls = java.util.Objects.requireNonNull(factory, "factory");
    }

    private boolean isTls() {
        return server.getScheme().equals("ssl");
    }

    /**
     * @param server {@code tcp://host:port} or {@code ssl://host:port} (MQTT over TLS, default port 8883; see {@link #useTls})
     * @param lastWill encoded OFFLINE status, published by the broker if the connection dies
     * @param maxInFlight most unacknowledged publishes at once (further capped by the broker)
     */
    public MqttUplink(URI server, String deviceId, PayloadFormat format, ReconnectPolicy policy, int maxInFlight,
                      byte[] lastWill) {
        if (server == null || !("tcp".equals(server.getScheme()) || "ssl".equals(server.getScheme()))
                || server.getHost() == null) {
            throw new IllegalArgumentException("server must be tcp://host:port or ssl://host:port, was " + server);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
        }
        this.server = server.getPort() >= 0 ? server
                : URI.create(server.getScheme() + "://" + server.getHost() + (server.getScheme().equals("ssl") ? ":8883" : ":1883"));
        this.deviceId = deviceId;
        this.format = format;
        this.policy = policy;
        this.configuredMaxInFlight = maxInFlight;
        this.lastWill = lastWill.clone();
    }

    @Override
    public synchronized void start(UplinkListener uplinkListener) {
        if (started) {
            throw new IllegalStateException("already started");
        }
        if (isTls() && tls == null) {
            throw new UplinkException(Failure.UNAVAILABLE, "MQTT over TLS (" + server + ") needs the device's certificate"
                    + " and the gateway CA (useTls)");
        }
        started = true;
        this.listener = uplinkListener;
        scheduler = NamedThreads.scheduler("fl-mqtt-" + deviceId);
        closer = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fl-mqtt-close-" + deviceId);
            t.setDaemon(true);
            return t;
        });
        reconnector = new Reconnector("mqtt " + deviceId, policy, scheduler, this::connectOnce, new Random());
        reconnector.trigger();
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout((int) Math.max(1, connectTimeout.toSeconds()));
        o.setTopicAliasMaximum(0); // the broker may not use aliases towards us either
        if (isTls()) {
            o.setSocketFactory(tls);
            o.setHttpsHostnameVerificationEnabled(true);
        } else {
            o.setSocketFactory(new NoDelaySocketFactory());
        }
        byte[] secret = password;
        if (secret != null) {
            o.setUserName(deviceId);
            o.setPassword(secret.clone());
        }
        MqttMessage will = new MqttMessage(lastWill, 1, true, null);
        o.setWill(Topics.topic(deviceId, MessageKind.STATUS), will);
        MqttProperties willProps = new MqttProperties();
        willProps.setContentType(format.mediaType(MessageKind.STATUS));
        o.setWillMessageProperties(willProps);
        return o;
    }

    /** Scheduler thread (the reconnector's): a new client and one connection attempt, watched. */
    private CompletableFuture<Void> connectOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "closed"));
            return done;
        }
        Link l;
        try {
            l = new Link(linkIds.incrementAndGet(), new MqttAsyncClient(server.toString(), deviceId, new MemoryPersistence()),
                    done);
        } catch (MqttException | IllegalArgumentException e) {
            done.completeExceptionally(new UplinkException(Failure.UNAVAILABLE,
                    "cannot create MQTT client for " + server + ": " + e, e));
            return done;
        }
        l.client.setCallback(l);
        link = l;
        l.watchdog = watch(() -> connectTimedOut(l), connectTimeout);
        log.debug("mqtt {}: connecting to {} (connection #{})", deviceId, server, l.id);
        try {
            l.client.connect(options(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    MqttProperties p = token.getResponseProperties();
                    Integer rm = p == null ? null : p.getReceiveMaximum();
                    supervise(() -> connackReceived(l, rm == null ? 65_535 : rm));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    supervise(() -> lost(l, "connect failed: " + e, e));
                }
            });
        } catch (MqttException e) {
            lost(l, "connect failed: " + e, e);
        }
        return done;
    }

    private void connackReceived(Link l, int receiveMaximum) {
        if (l.dead || l != link) {
            return;
        }
        cancelWatchdog(l);
        l.connackReceived = true;
        serverReceiveMaximum = receiveMaximum;
        l.watchdog = watch(() -> subscribeTimedOut(l), subscribeTimeout);
        try {
            // one SUBSCRIBE with an action listener for the SUBACK; messages arrive through the client-wide
            // callback (Paho 1.2.5's per-subscription message listeners fail against our endpoint)
            MqttSubscription cmd = new MqttSubscription(Topics.topic(deviceId, MessageKind.COMMAND), 1);
            java.util.List<MqttSubscription> list = new java.util.ArrayList<>();
            list.add(cmd);
            if (ackMessages) {
                list.add(new MqttSubscription(Topics.topic(deviceId, MessageKind.ACK), 1));
            }
            if (federated) {
                for (FlKind k : FlKind.values()) {
                    if (!k.isUplink()) {
                        list.add(new MqttSubscription(FlAddresses.topic(deviceId, k), 0));
                    }
                }
            }
            MqttSubscription[] subscriptions = list.toArray(new MqttSubscription[0]);
            l.client.subscribe(subscriptions, null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            int[] codes = token.getReasonCodes();
                            supervise(() -> subscribed(l, codes));
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            supervise(() -> lost(l, "SUBSCRIBE failed: " + e, e));
                        }
                    }, (MqttProperties) null);
        } catch (MqttException e) {
            lost(l, "SUBSCRIBE failed: " + e, e);
        }
    }

    private void subscribed(Link l, int[] codes) {
        if (l.dead || l != link) {
            return;
        }
        cancelWatchdog(l);
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
            log.warn("mqtt {}: broker refused the command subscription (reason {})", deviceId, codes[0]);
        }
        if (codes != null && codes.length > 1 && codes[1] >= 0x80) {
            log.warn("mqtt {}: broker refused the ack subscription (reason {}); messages will be "
                    + "resent after each ack timeout", deviceId, codes[1]);
        }
        l.up = true;
        log.info("agent {} connected to {} (receive maximum {})", deviceId, server, serverReceiveMaximum);
        listener.connected();
        l.done.complete(null);
    }

    private void connectTimedOut(Link l) {
        if (l.dead || l != link || l.connackReceived) {
            return;
        }
        connectTimeouts.incrementAndGet();
        log.warn("mqtt {}: no CONNACK from {} within {} ms (connection #{}); connecting again", deviceId, server,
                connectTimeout.toMillis(), l.id);
        lost(l, "no CONNACK within " + connectTimeout.toMillis() + " ms", null);
    }

    private void subscribeTimedOut(Link l) {
        if (l.dead || l != link || l.up) {
            return;
        }
        subscribeTimeouts.incrementAndGet();
        log.warn("mqtt {}: no SUBACK from {} within {} ms (connection #{}); dropping the connection and connecting again",
                deviceId, server, subscribeTimeout.toMillis(), l.id);
        lost(l, "no SUBACK within " + subscribeTimeout.toMillis() + " ms", null);
    }

    /**
     * Scheduler thread: the attempt failed or timed out, or the connection was lost. Its client is
     * closed for good and its unconfirmed publishes fail (the journal sends them again); the
     * reconnector tries again after its backoff.
     */
    private void lost(Link l, String why, Throwable cause) {
        if (l.dead) {
            return;
        }
        boolean wasUp = l.up;
        abandon(l, "connection lost: " + why);
        if (!l.done.isDone()) {
            log.debug("mqtt {}: connection attempt #{} to {} failed: {}", deviceId, l.id, server, why);
            l.done.completeExceptionally(cause != null ? cause : new UplinkException(Failure.UNAVAILABLE, why));
            return; // the reconnector retries a failed attempt itself
        }
        if (closed) {
            return;
        }
        if (wasUp) {
            log.info("agent {} disconnected from {}: {}", deviceId, server, why);
            listener.disconnected(why);
        }
        reconnector.trigger();
    }

    /** Marks the link dead, fails its unconfirmed publishes and closes its client in the background. */
    private void abandon(Link l, String why) {
        l.dead = true;
        l.up = false;
        cancelWatchdog(l);
        if (link == l) {
            link = null;
        }
        for (CompletableFuture<Void> f : l.pending) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, why));
        }
        try {
            closer.execute(() -> closeClient(l.client, false));
        } catch (RejectedExecutionException e) {
            closeClient(l.client, false);
        }
    }

    private void closeClient(MqttAsyncClient c, boolean clean) {
        try {
            if (clean && c.isConnected()) {
                c.disconnect(2_000).waitForCompletion(3_000);
            } else {
                c.disconnectForcibly(0, 1_000, false);
            }
        } catch (MqttException e) {
            log.debug("mqtt {}: disconnect: {}", deviceId, e.toString());
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            log.debug("mqtt {}: close: {}", deviceId, e.toString());
        }
    }

    private void cancelWatchdog(Link l) {
        ScheduledFuture<?> w = l.watchdog;
        if (w != null) {
            w.cancel(false);
            l.watchdog = null;
        }
    }

    private void supervise(Runnable task) {
        if (closed) {
            return;
        }
        try {
            scheduler.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("mqtt {}: connection handling failed", deviceId, e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("mqtt {}: closing: {}", deviceId, e.toString());
        }
    }

    private ScheduledFuture<?> watch(Runnable task, Duration after) {
        try {
            return scheduler.schedule(() -> supervise(task), after.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    @Override
    public CompletableFuture<Void> send(MessageKind kind, byte[] payload) {
        if (!kind.isUplink()) {
            throw new IllegalArgumentException("kind must be an uplink kind, was " + kind);
        }
        return publish(Topics.topic(deviceId, kind), payload, format.mediaType(kind, payload), kind == MessageKind.STATUS);
    }

    /**
     * Publishes a federated message (QoS 1) on {@code fl/v1/{id}/fl/...}; the gateway's answers arrive
     * through {@link UplinkListener#federated}. Needs {@link #useFederated}.
     */
    @Override
    public CompletableFuture<Optional<FlMessage>> sendFederated(FlMessage message) {
        if (!message.kind().isUplink()) {
            throw new IllegalArgumentException("kind must be an uplink kind, was " + message.kind());
        }
        return publish(FlAddresses.topic(deviceId, message.kind()), flCodec.encode(message, format),
                format.mediaType(MessageKind.EVENT), false).thenApply(v -> Optional.empty());
    }

    /**
     * Also subscribes the federated downlink topics ({@code fl/v1/{id}/fl/task|chunk|receipt}) at every
     * connect and hands what arrives on them to {@link UplinkListener#federated}. Call before {@link #start}.
     */
    public void useFederated() {
        this.federated = true;
    }

    private CompletableFuture<Void> publish(String topic, byte[] payload, String contentType, boolean retained) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Link l = link;
        if (l == null || !l.up || l.dead || closed) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "not connected"));
            return f;
        }
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        MqttProperties props = new MqttProperties();
        props.setContentType(contentType);
        m.setProperties(props);
        l.pending.add(f);
        f.whenComplete((v, e) -> l.pending.remove(f));
        if (l.dead) { // lost meanwhile: abandon() may have missed f
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "connection lost"));
            return f;
        }
        try {
            l.client.publish(topic, m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // the PUBACK of this connection's own PUBLISH: the broker has it
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        f.completeExceptionally(new UplinkException(Failure.REJECTED,
                                "broker refused the publish with reason code 0x" + Integer.toHexString(codes[0])));
                    } else {
                        f.complete(null);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "publish failed: " + e, e));
                }
            });
        } catch (MqttException e) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "publish failed: " + e, e));
        }
        return f;
    }

    @Override
    public boolean isConnected() {
        Link l = link;
        return l != null && l.up && !l.dead;
    }

    @Override
    public int maxInFlight() {
        return Math.max(1, Math.min(configuredMaxInFlight, serverReceiveMaximum - STATUS_RESERVE));
    }

    @Override
    public long reconnects() {
        Reconnector r = reconnector;
        return r == null ? 0 : r.reconnects();
    }

    @Override
    public long connectTimeouts() {
        return connectTimeouts.get();
    }

    @Override
    public long subscribeTimeouts() {
        return subscribeTimeouts.get();
    }

    @Override
    public String describe() {
        return "mqtt " + server;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (reconnector != null) {
            reconnector.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                    log.warn("mqtt {}: connection handling still busy after 5 s", deviceId);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Link l = link;
        if (l != null) {
            boolean wasUp = l.up;
            l.dead = true;
            l.up = false;
            link = null;
            cancelWatchdog(l);
            closeClient(l.client, wasUp);
            for (CompletableFuture<Void> f : l.pending) {
                f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "uplink closed"));
            }
        }
        if (closer != null) {
            closer.shutdown();
        }
    }

    /** One connection attempt and, once it succeeds, that connection: its own Paho client, used only for it. */
    private final class Link implements MqttCallback {
        final long id;
        final MqttAsyncClient client;
        /** Completes when subscribed (the reconnector's attempt succeeded) or fails when the attempt did. */
        final CompletableFuture<Void> done;
        /** Publishes on this connection the broker has not acknowledged yet. */
        final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();
        /** Lost, timed out or closed: nothing more goes through this client. */
        volatile boolean dead;
        /** Subscribed: messages may be sent. */
        volatile boolean up;
        /** Scheduler thread only. */
        boolean connackReceived;
        /** Scheduler thread only. */
        ScheduledFuture<?> watchdog;

        Link(long id, MqttAsyncClient client, CompletableFuture<Void> done) {
            this.id = id;
            this.client = client;
            this.done = done;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            String cause = response.getException() != null ? response.getException().toString()
                    : "broker sent DISCONNECT " + response.getReturnCode() + " " + response.getReasonString();
            supervise(() -> lost(this, cause, response.getException()));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.debug("mqtt {}: error {}", deviceId, exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (ackMessages && topic.equals(Topics.topic(deviceId, MessageKind.ACK))) {
                ackArrived(message.getPayload());
                return;
            }
            if (federated) {
                Optional<FlAddresses.FlAddress> fl = FlAddresses.parseTopic(topic);
                if (fl.isPresent() && fl.get().deviceId().equals(deviceId) && !fl.get().kind().isUplink()) {
                    byte[] p = message.getPayload();
                    try {
                        listener.federated(flCodec.decode(fl.get().kind(), deviceId, p,
                                PayloadFormat.sniff(p).orElse(PayloadFormat.CBOR)));
                    } catch (DecodeException e) {
                        log.warn("agent {}: ignoring undecodable {}: {}", deviceId, fl.get().kind().suffix(), e.getMessage());
                    }
                    return;
                }
            }
            if (!topic.equals(Topics.topic(deviceId, MessageKind.COMMAND))) {
                return;
            }
            byte[] payload = message.getPayload();
            String contentType = message.getProperties() == null ? null : message.getProperties().getContentType();
            PayloadFormat fmt = PayloadFormat.fromMediaType(MessageKind.COMMAND, contentType)
                    .or(() -> PayloadFormat.sniff(payload)).orElse(format);
            Command c;
            try {
                c = codec.decodeCommand(payload, fmt);
            } catch (DecodeException e) {
                log.warn("agent {}: ignoring undecodable command on {}: {}", deviceId, topic, e.getMessage());
                return;
            }
            listener.command(c);
        }

        private void ackArrived(byte[] payload) {
            Ack ack;
            try {
                ack = codec.decodeAck(deviceId, payload, PayloadFormat.sniff(payload).orElse(PayloadFormat.CBOR));
            } catch (DecodeException e) {
                log.warn("agent {}: ignoring undecodable ack: {}", deviceId, e.getMessage());
                return;
            }
            listener.ack(ack);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // completion is handled per publish by its action listener
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // connected state is set once the command subscription is in place
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication
        }
    }
}
