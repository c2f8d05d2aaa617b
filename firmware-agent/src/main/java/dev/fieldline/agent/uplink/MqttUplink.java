package dev.fieldline.agent.uplink;

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
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
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
 */
public final class MqttUplink implements Uplink {
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
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean connected;
    private volatile boolean ackMessages;
    private volatile boolean closed;
    private volatile int serverReceiveMaximum = 65_535;
    private volatile UplinkListener listener;
    private MqttAsyncClient client;
    private ScheduledExecutorService scheduler;
    private Reconnector reconnector;

    /**
     * @param server {@code tcp://host:port} or {@code ssl://host:port} (MQTT over TLS, default port 8883; see {@link #useTls})
     * @param lastWill encoded OFFLINE status, published by the broker if the connection dies
     * @param maxInFlight most unacknowledged publishes at once (further capped by the broker)
     */
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
    public void useAckMessages() {
        this.ackMessages = true;
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
        if (client != null) {
            throw new IllegalStateException("already started");
        }
        if (isTls() && tls == null) {
            throw new UplinkException(Failure.UNAVAILABLE, "MQTT over TLS (" + server + ") needs the device's certificate"
                    + " and the gateway CA (useTls)");
        }
        this.listener = uplinkListener;
        try {
            client = new MqttAsyncClient(server.toString(), deviceId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new UplinkException(Failure.UNAVAILABLE, "cannot create MQTT client for " + server + ": " + e, e);
        }
        client.setCallback(new Callback());
        scheduler = NamedThreads.scheduler("fl-mqtt-" + deviceId);
        reconnector = new Reconnector("mqtt " + deviceId, policy, scheduler, this::connectOnce, new Random());
        reconnector.trigger();
    }

    private CompletableFuture<Void> connectOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "closed"));
            return done;
        }
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
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
        try {
            client.connect(o, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    MqttProperties p = token.getResponseProperties();
                    Integer rm = p == null ? null : p.getReceiveMaximum();
                    serverReceiveMaximum = rm == null ? 65_535 : rm;
                    subscribe(done);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (MqttException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    private void subscribe(CompletableFuture<Void> done) {
        try {
            // one SUBSCRIBE with an action listener for the SUBACK; messages arrive through the client-wide
            // callback (Paho 1.2.5's per-subscription message listeners fail against our endpoint)
            MqttSubscription cmd = new MqttSubscription(Topics.topic(deviceId, MessageKind.COMMAND), 1);
            MqttSubscription[] subscriptions = ackMessages
                    ? new MqttSubscription[] {cmd, new MqttSubscription(Topics.topic(deviceId, MessageKind.ACK), 1)}
                    : new MqttSubscription[] {cmd};
            client.subscribe(subscriptions, null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            int[] codes = token.getReasonCodes();
                            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                                log.warn("mqtt {}: broker refused the command subscription (reason {})", deviceId, codes[0]);
                            }
                            if (codes != null && codes.length > 1 && codes[1] >= 0x80) {
                                log.warn("mqtt {}: broker refused the ack subscription (reason {}); messages will be "
                                        + "resent after each ack timeout", deviceId, codes[1]);
                            }
                            connected = true;
                            log.info("agent {} connected to {} (receive maximum {})", deviceId, server, serverReceiveMaximum);
                            listener.connected();
                            done.complete(null);
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            done.completeExceptionally(e);
                            disconnectQuietly();
                        }
                    }, (MqttProperties) null);
        } catch (MqttException e) {
            done.completeExceptionally(e);
            disconnectQuietly();
        }
    }

    private void disconnectQuietly() {
        try {
            client.disconnect();
        } catch (MqttException e) {
            log.debug("mqtt {}: disconnect after failed subscribe: {}", deviceId, e.toString());
        }
    }

    @Override
    public CompletableFuture<Void> send(MessageKind kind, byte[] payload) {
        if (!kind.isUplink()) {
            throw new IllegalArgumentException("kind must be an uplink kind, was " + kind);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!connected || closed) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "not connected"));
            return f;
        }
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(kind == MessageKind.STATUS);
        MqttProperties props = new MqttProperties();
        props.setContentType(format.mediaType(kind, payload));
        m.setProperties(props);
        pending.add(f);
        f.whenComplete((v, e) -> pending.remove(f));
        try {
            client.publish(Topics.topic(deviceId, kind), m, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
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
        return connected;
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
    public String describe() {
        return "mqtt " + server;
    }

    @Override
    public void close() {
        MqttAsyncClient c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = client;
        }
        if (reconnector != null) {
            reconnector.close();
        }
        if (c != null) {
            try {
                if (c.isConnected()) {
                    c.disconnect(2_000).waitForCompletion(3_000);
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
        connected = false;
        failPending("uplink closed");
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private void failPending(String why) {
        for (CompletableFuture<Void> f : pending) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, why));
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            boolean was = connected;
            connected = false;
            String cause = response.getException() != null ? response.getException().toString()
                    : "broker sent DISCONNECT " + response.getReturnCode() + " " + response.getReasonString();
            failPending("connection lost: " + cause);
            if (closed) {
                return;
            }
            if (was) {
                log.info("agent {} disconnected from {}: {}", deviceId, server, cause);
                listener.disconnected(cause);
            }
            reconnector.trigger();
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
