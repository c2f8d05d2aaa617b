package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.GatewayStartException;
import dev.fieldline.gateway.downlink.Downlink;
import dev.fieldline.gateway.downlink.DownlinkTransport;
import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * External-broker mode: the gateway is an MQTT 5 client (Eclipse Paho) of Mosquitto, EMQX, HiveMQ...
 * and takes the devices' uplinks from shared subscriptions
 * {@code $share/{shareGroup}/fl/v1/+/{telemetry|event|status|cmd/result}} at QoS 1, so several
 * gateways split the load. A message is acknowledged to the broker (manual acks) only once
 * {@link Ingest} committed or rejected it; what was not committed is redelivered by the broker when
 * this client reconnects (persistent session, clean start off, {@link #SESSION_EXPIRY}). Messages the
 * ingest reports {@code Unavailable} are resubmitted with backoff while they stay unacknowledged.
 * Commands go out as QoS 1 PUBLISHes to {@code fl/v1/{deviceId}/cmd}. After commits (and duplicates)
 * of a device's sequenced messages the gateway publishes {@code Ack} messages to
 * {@code fl/v1/{deviceId}/ack} ({@link CommitAcks}), because the broker's PUBACK to the device does not
 * mean the gateway has the message. See {@code docs/transports.md}.
 */
public final class BrokerIngest implements AutoCloseable, DownlinkTransport {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerIngest.class);
    /** How long the broker keeps this gateway's session (subscriptions, queued messages) while it is away. */
    public static final Duration SESSION_EXPIRY = Duration.ofHours(1);
    /** Unacknowledged messages the broker may have in flight to this gateway (MQTT 5 Receive Maximum). */
    public static final int RECEIVE_MAXIMUM = 1000;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);
    private static final Duration RETRY_MIN = Duration.ofMillis(100);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    private static final MessageCodec CODEC = new MessageCodec();
    private static final List<MessageKind> UPLINK_KINDS =
            List.of(MessageKind.TELEMETRY, MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND_RESULT);

    private final BrokerIngestConfig config;
    private final Ingest ingest;
    private final Downlink downlink;
    private final Metrics metrics;
    private final UplinkIntake intake;
    private final Clock clock = Clock.systemUTC();
    /** Incremented at every (re)connection: acks for messages of an earlier connection must not be sent. */
    private final AtomicLong connection = new AtomicLong();
    private final CommitAcks.CommitLookup commitLookup;
    private volatile CommitAcks acks;

    private MqttAsyncClient client;
    private ScheduledExecutorService retries;
    private volatile boolean closed;

    /** Without a store to ask for watermarks: acks carry the committed ranges only (watermark 0). */
    public BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics) {
        this(config, ingest, downlink, metrics, CommitAcks.CommitLookup.NONE);
    }

    /** Acks carry the boot's commit watermark from {@code store} ({@link TelemetryStore#committedThrough}). */
    public BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics, TelemetryStore store) {
        this(config, ingest, downlink, metrics, Objects.requireNonNull(store, "store")::committedThrough);
    }

    private BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            CommitAcks.CommitLookup commitLookup) {
        this.commitLookup = commitLookup;
        this.config = Objects.requireNonNull(config, "config");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.downlink = Objects.requireNonNull(downlink, "downlink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.intake = new UplinkIntake(metrics, Transport.BROKER);
    }

    /** The subscription filters, e.g. {@code $share/gw/fl/v1/+/telemetry}. */
    public List<String> topicFilters() {
        List<String> filters = new ArrayList<>();
        for (MessageKind kind : UPLINK_KINDS) {
            String filter = Topics.allDevices(kind);
            filters.add(config.shared() ? "$share/" + config.shareGroup() + "/" + filter : filter);
        }
        return filters;
    }

    /**
     * Connects (waiting up to 10 s for the first connection), subscribes and registers with the
     * downlink hub. Later connection losses are repaired by automatic reconnection with backoff.
     *
     * @throws GatewayStartException naming the broker when the first connection fails
     */
    public synchronized void start() {
        if (client != null) {
            throw new IllegalStateException("broker ingest already started");
        }
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fl-broker-retry");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        retries = executor;
        acks = new CommitAcks(this::publishAck, commitLookup, metrics);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY.toSeconds());
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 30);
        options.setKeepAliveInterval((int) KEEP_ALIVE.toSeconds());
        options.setConnectionTimeout((int) CONNECT_TIMEOUT.toSeconds());
        options.setReceiveMaximum(RECEIVE_MAXIMUM);
        if (config.brokerUrl().getScheme().equals("tcp")) {
            options.setSocketFactory(new NoDelaySocketFactory());
        }
        config.tls().ifPresent(options::setSocketFactory);
        try {
            client = new MqttAsyncClient(config.brokerUrl().toString(), config.clientId(), new MemoryPersistence());
            client.setManualAcks(true);
            client.setCallback(new Callback());
            client.connect(options).waitForCompletion(CONNECT_TIMEOUT.toMillis() + 1000);
        } catch (MqttException e) {
            closeQuietly();
            throw new GatewayStartException("broker ingest", "could not connect to MQTT broker " + config.brokerUrl()
                    + " as '" + config.clientId() + "': " + e.getMessage(), e);
        }
        downlink.register(this);
        LOG.info("Broker ingest connected to {} as '{}' ({})", config.brokerUrl(), config.clientId(),
                config.shared() ? "share group " + config.shareGroup() : "not shared");
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            try {
                if (client.isConnected()) {
                    client.disconnect(2000).waitForCompletion(3000);
                }
            } catch (MqttException e) {
                LOG.debug("disconnect from {}: {}", config.brokerUrl(), e.toString());
            }
            closeQuietly();
            LOG.info("Broker ingest disconnected from {}", config.brokerUrl());
        }
        if (retries != null) {
            retries.shutdownNow();
            retries = null;
        }
        if (acks != null) {
            acks.close();
        }
    }

    private void closeQuietly() {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            LOG.debug("forced disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("close: {}", e.toString());
        }
        client = null;
    }

    /** True while connected to the broker. */
    public boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    // ------------------------------------------------------------------ uplink

    private final class Callback implements MqttCallback {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            long generation = connection.incrementAndGet();
            LOG.debug("connected to {} (reconnect={}, connection #{})", serverURI, reconnect, generation);
            if (reconnect) {
                LOG.info("Broker ingest reconnected to {}", serverURI);
            }
            subscribe();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            connection.incrementAndGet();
            if (!closed) {
                metrics.increment("broker_disconnects_total");
                LOG.warn("Broker ingest lost {}: {}", config.brokerUrl(), response.getReasonString());
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.debug("broker error: {}", exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onMessage(topic, message, connection.get());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // Command deliveries are followed through their own action listeners.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // No enhanced authentication.
        }
    }

    private void subscribe() {
        List<String> filters = topicFilters();
        MqttSubscription[] subscriptions = new MqttSubscription[filters.size()];
        for (int i = 0; i < subscriptions.length; i++) {
            subscriptions[i] = new MqttSubscription(filters.get(i), 1);
        }
        try {
            client.subscribe(subscriptions, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getReasonCodes();
                    boolean all = true;
                    for (int i = 0; granted != null && i < granted.length; i++) {
                        if (granted[i] >= 0x80) {
                            all = false;
                            LOG.error("Broker {} refused subscription {} (reason 0x{})", config.brokerUrl(),
                                    i < filters.size() ? filters.get(i) : "?", Integer.toHexString(granted[i]));
                        }
                    }
                    if (all) {
                        metrics.increment("broker_subscribed_total");
                    }
                    LOG.debug("subscribed to {}", filters);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    LOG.error("Broker {}: SUBSCRIBE failed: {}", config.brokerUrl(), error.toString());
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            LOG.error("Broker {}: SUBSCRIBE failed: {}", config.brokerUrl(), e.toString());
        }
    }

    private void onMessage(String topic, MqttMessage message, long generation) {
        Optional<Topics.Address> address = Topics.parse(topic);
        if (address.isEmpty() || !address.get().kind().isUplink()) {
            metrics.increment("broker_dropped_total", "reason", "topic_invalid");
            ack(message, generation);
            return;
        }
        Topics.Address a = address.get();
        byte[] payload = message.getPayload();
        Optional<String> contentType = Optional.ofNullable(message.getProperties() == null ? null
                : message.getProperties().getContentType());
        Optional<PayloadFormat> format = UplinkIntake.format(a.kind(), contentType, payload);
        if (format.isEmpty()) {
            intake.refused(DecodeError.UNSUPPORTED_FORMAT);
            ack(message, generation);
            return;
        }
        submit(new Uplink(Transport.BROKER, a.deviceId(), a.kind(), format.get(), payload, clock.instant()),
                message, generation, RETRY_MIN);
    }

    private void submit(Uplink uplink, MqttMessage message, long generation, Duration backoff) {
        UplinkIntake.submit(ingest, uplink).thenAccept(r -> {
            if (r instanceof IngestResult.Unavailable) {
                retryLater(uplink, message, generation, backoff);
            } else {
                if (r instanceof IngestResult.Stored stored) {
                    stored.sequence().ifPresent(seq -> acks.committed(uplink.deviceId(), seq));
                } else if (r instanceof IngestResult.Duplicate duplicate) {
                    acks.committed(uplink.deviceId(), duplicate.sequence());
                }
                // Committed, or rejected (retrying cannot help): either way the broker may forget it.
                ack(message, generation);
            }
        });
    }

    private void retryLater(Uplink uplink, MqttMessage message, long generation, Duration backoff) {
        if (closed || generation != connection.get()) {
            return; // the broker redelivers it on the next connection
        }
        Duration next = backoff.multipliedBy(2).compareTo(RETRY_MAX) > 0 ? RETRY_MAX : backoff.multipliedBy(2);
        try {
            retries.schedule(() -> submit(uplink, message, generation, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | NullPointerException e) {
            LOG.debug("not retrying {}: closing", uplink.deviceId());
        }
    }

    private void ack(MqttMessage message, long generation) {
        MqttAsyncClient c = client;
        if (message.getQos() == 0 || c == null || generation != connection.get()) {
            return;
        }
        try {
            c.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            LOG.debug("ack of message {} failed: {}", message.getId(), e.toString());
        }
    }

    /** Publishes an ack (CBOR, QoS 1, not retained); false if the client is not connected or refused it. */
    private boolean publishAck(String topic, byte[] payload) {
        MqttAsyncClient c = client;
        if (c == null || !c.isConnected()) {
            return false;
        }
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        MqttProperties props = new MqttProperties();
        props.setContentType(PayloadFormat.CBOR.mediaType(MessageKind.ACK));
        message.setProperties(props);
        try {
            c.publish(topic, message);
            return true;
        } catch (MqttException e) {
            LOG.debug("ack on {} not published: {}", topic, e.toString());
            return false;
        }
    }

    // ------------------------------------------------------------------ downlink

    /**
     * Publishes the command (CBOR, QoS 1) to {@code fl/v1/{deviceId}/cmd} on the broker; the hub hears
     * {@link Downlink#delivered} when the broker acknowledged it (the broker then owns delivery to
     * the device's session).
     */
    @Override
    public boolean send(String deviceId, Command command) {
        MqttAsyncClient c = client;
        if (c == null || !c.isConnected()) {
            return false;
        }
        MqttMessage message = new MqttMessage(CODEC.encode(command, PayloadFormat.CBOR));
        message.setQos(1);
        MqttProperties props = new MqttProperties();
        props.setContentType(PayloadFormat.CBOR.mediaType(MessageKind.COMMAND));
        message.setProperties(props);
        try {
            c.publish(Topics.topic(deviceId, MessageKind.COMMAND), message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    downlink.delivered(deviceId, command.id());
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    LOG.debug("command {} to {} not published: {}", command.id(), deviceId, error.toString());
                }
            });
            metrics.increment("broker_commands_sent_total");
            return true;
        } catch (MqttException e) {
            // e.g. 32202 "too many publishes in progress": the hub keeps it pending.
            LOG.debug("command {} to {} not published: {}", command.id(), deviceId, e.toString());
            return false;
        }
    }

    /** Any device may be reachable through the broker while we are connected to it. */
    @Override
    public boolean reaches(String deviceId) {
        return connected();
    }
}
