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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p><b>One Paho client per network connection.</b> The gateway reconnects on its own (not with Paho's
 * automatic reconnect): every connection gets a new {@link MqttAsyncClient}, and a lost one is closed
 * for good. Paho 1.2.5 carries state from one connection to the next that breaks the next one: QoS 1
 * PUBLISHes in flight at a loss are resent with the previous connection's topic alias and no topic
 * name (a protocol error: Mosquitto answers DISCONNECT 0x82 on every reconnection, for ever), and a
 * PUBACK queued after the loss makes the next connection's sender thread stop before it writes
 * CONNECT or SUBSCRIBE (the connection then hangs until the broker drops it). Our own QoS 1
 * publishes the broker had not acknowledged are published again, with their topic, on the next
 * connection. Watchdogs bound each step: no CONNACK within {@link #CONNECT_TIMEOUT}, or no SUBACK
 * within {@link #SUBSCRIBE_TIMEOUT}, and the connection is dropped and made again
 * ({@code broker_connect_timeouts_total}, {@code broker_subscribe_timeouts_total}), so ingest never
 * stalls silently.
 */
public final class BrokerIngest implements AutoCloseable, DownlinkTransport {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerIngest.class);
    /** How long the broker keeps this gateway's session (subscriptions, queued messages) while it is away. */
    public static final Duration SESSION_EXPIRY = Duration.ofHours(1);
    /** Unacknowledged messages the broker may have in flight to this gateway (MQTT 5 Receive Maximum). */
    public static final int RECEIVE_MAXIMUM = 1000;
    /** Longest wait for a connection (TCP, TLS and CONNACK) before it is dropped and tried again. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest wait for the SUBACK of the uplink subscriptions before the connection is dropped and made again. */
    public static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(30);
    private static final Duration RETRY_MIN = Duration.ofMillis(100);
    private static final Duration RETRY_MAX = Duration.ofSeconds(5);
    private static final MessageCodec CODEC = new MessageCodec();
    private static final List<MessageKind> UPLINK_KINDS =
            List.of(MessageKind.TELEMETRY, MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND_RESULT);

    /**
     * Time limits of a connection and the delays between connection attempts (the first after a loss
     * waits {@code reconnectMin}, each failed one doubles it up to {@code reconnectMax}; a completed
     * SUBSCRIBE resets it). Tests shorten them.
     */
    record Timing(Duration connectTimeout, Duration subscribeTimeout, Duration reconnectMin, Duration reconnectMax) {
        static final Timing DEFAULT = new Timing(CONNECT_TIMEOUT, SUBSCRIBE_TIMEOUT, Duration.ofSeconds(1),
                Duration.ofSeconds(30));

        Timing {
            for (Duration d : List.of(connectTimeout, subscribeTimeout, reconnectMin, reconnectMax)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("timings must be positive, were " + List.of(connectTimeout,
                            subscribeTimeout, reconnectMin, reconnectMax));
                }
            }
        }
    }

    private final BrokerIngestConfig config;
    private final Ingest ingest;
    private final Downlink downlink;
    private final Metrics metrics;
    private final Timing timing;
    private final UplinkIntake intake;
    private final Clock clock = Clock.systemUTC();
    private final AtomicLong linkIds = new AtomicLong();
    /** Our QoS 1 publishes (acks, commands) the broker has not acknowledged yet, oldest first. */
    private final ConcurrentSkipListMap<Long, Outgoing> outgoing = new ConcurrentSkipListMap<>();
    private final AtomicLong outgoingIds = new AtomicLong();
    private final CommitAcks.CommitLookup commitLookup;
    private volatile CommitAcks acks;

    /** The current connection (or attempt); null between a loss and the next attempt, and after close. */
    private volatile Link link;
    /** Runs connection attempts, watchdogs and loss handling, one at a time, in order. */
    private volatile ScheduledExecutorService supervisor;
    /** Closes abandoned Paho clients (a close can block; it never holds up the supervisor). */
    private volatile ExecutorService closer;
    private volatile ScheduledExecutorService retries;
    /** Delay before the next connection attempt; supervisor thread only. */
    private Duration backoff;
    private volatile CompletableFuture<Void> firstConnection;
    private volatile boolean closed;

    /** Without a store to ask for watermarks: acks carry the committed ranges only (watermark 0). */
    public BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics) {
        this(config, ingest, downlink, metrics, CommitAcks.CommitLookup.NONE, Timing.DEFAULT);
    }

    /** Acks carry the boot's commit watermark from {@code store} ({@link TelemetryStore#committedThrough}). */
    public BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics, TelemetryStore store) {
        this(config, ingest, downlink, metrics, Objects.requireNonNull(store, "store")::committedThrough, Timing.DEFAULT);
    }

    /** With other time limits (tests). */
    BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics, Timing timing) {
        this(config, ingest, downlink, metrics, CommitAcks.CommitLookup.NONE, timing);
    }

    private BrokerIngest(BrokerIngestConfig config, Ingest ingest, Downlink downlink, Metrics metrics,
            CommitAcks.CommitLookup commitLookup, Timing timing) {
        this.commitLookup = commitLookup;
        this.config = Objects.requireNonNull(config, "config");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.downlink = Objects.requireNonNull(downlink, "downlink");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.timing = Objects.requireNonNull(timing, "timing");
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
     * Connects (waiting up to {@link #CONNECT_TIMEOUT} for the first connection), subscribes and
     * registers with the downlink hub. Later connection losses are repaired by reconnecting with backoff.
     *
     * @throws GatewayStartException naming the broker when the first connection fails
     */
    public synchronized void start() {
        if (supervisor != null) {
            throw new IllegalStateException("broker ingest already started");
        }
        supervisor = Executors.newSingleThreadScheduledExecutor(daemon("fl-broker-link"));
        closer = Executors.newCachedThreadPool(daemon("fl-broker-close"));
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemon("fl-broker-retry"));
        executor.setRemoveOnCancelPolicy(true);
        retries = executor;
        acks = new CommitAcks(this::publishAck, commitLookup, metrics);
        backoff = timing.reconnectMin();
        firstConnection = new CompletableFuture<>();
        supervise(this::connect);
        try {
            firstConnection.get(timing.connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            close();
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new GatewayStartException("broker ingest", "could not connect to MQTT broker " + config.brokerUrl()
                    + " as '" + config.clientId() + "': " + (cause.getMessage() == null ? cause : cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new GatewayStartException("broker ingest", "interrupted while connecting to " + config.brokerUrl(), e);
        }
        downlink.register(this);
        LOG.info("Broker ingest connected to {} as '{}' ({})", config.brokerUrl(), config.clientId(),
                config.shared() ? "share group " + config.shareGroup() : "not shared");
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (supervisor != null) {
            supervisor.shutdownNow();
            try {
                if (!supervisor.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("broker ingest: connection supervisor still busy after 5 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Link l = link;
        link = null;
        if (l != null) {
            l.dead = true;
            try {
                if (l.client.isConnected()) {
                    l.client.disconnect(2000).waitForCompletion(3000);
                }
            } catch (MqttException e) {
                LOG.debug("disconnect from {}: {}", config.brokerUrl(), e.toString());
            }
            PahoClients.discard(l.client);
            LOG.info("Broker ingest disconnected from {}", config.brokerUrl());
        }
        if (closer != null) {
            closer.shutdown();
        }
        if (retries != null) {
            retries.shutdownNow();
            retries = null;
        }
        if (acks != null) {
            acks.close();
        }
    }

    /** True while connected to the broker. */
    public boolean connected() {
        Link l = link;
        return l != null && !l.dead && l.client.isConnected();
    }

    // ------------------------------------------------------------------ connections

    /** One network connection: its own Paho client, used for this connection only. */
    private final class Link implements MqttCallback {
        final long id;
        final MqttAsyncClient client;
        /** Lost, timed out or closed: nothing more is sent through this client. */
        volatile boolean dead;
        /** CONNACK received; supervisor thread only. */
        boolean connected;
        /** SUBACK received; supervisor thread only. */
        boolean subscribed;
        /** The pending connect or subscribe watchdog; supervisor thread only. */
        ScheduledFuture<?> watchdog;

        Link(long id, MqttAsyncClient client) {
            this.id = id;
            this.client = client;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // followed through the connect action listener
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            String why = response.getException() != null ? response.getException().toString()
                    : "DISCONNECT 0x" + Integer.toHexString(response.getReturnCode())
                            + (response.getReasonString() == null ? "" : " " + response.getReasonString());
            supervise(() -> lost(this, why, response.getException()));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.debug("broker error on connection #{}: {}", id, exception.toString());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onMessage(topic, message, this);
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // Our publishes are followed through their own action listeners.
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // No enhanced authentication.
        }
    }

    private void supervise(Runnable task) {
        ScheduledExecutorService s = supervisor;
        if (s == null || closed) {
            return;
        }
        try {
            s.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("broker ingest: connection handling failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("broker ingest closing: {}", e.toString());
        }
    }

    private ScheduledFuture<?> watch(Runnable task, Duration after) {
        return supervisor.schedule(() -> supervise(task), after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(SESSION_EXPIRY.toSeconds());
        options.setAutomaticReconnect(false);
        options.setKeepAliveInterval((int) KEEP_ALIVE.toSeconds());
        options.setConnectionTimeout((int) Math.max(1, timing.connectTimeout().toSeconds()));
        options.setReceiveMaximum(RECEIVE_MAXIMUM);
        if (config.brokerUrl().getScheme().equals("tcp")) {
            options.setSocketFactory(new NoDelaySocketFactory());
        }
        config.tls().ifPresent(options::setSocketFactory);
        return options;
    }

    /** Supervisor thread: a new client and a connection attempt, watched by {@link Timing#connectTimeout}. */
    private void connect() {
        if (closed) {
            return;
        }
        Link l;
        try {
            l = new Link(linkIds.incrementAndGet(),
                    new MqttAsyncClient(config.brokerUrl().toString(), config.clientId(), new MemoryPersistence()));
        } catch (MqttException | IllegalArgumentException e) {
            LOG.error("Broker {}: cannot create an MQTT client: {}", config.brokerUrl(), e.toString());
            if (!failFirst(e)) {
                scheduleReconnect();
            }
            return;
        }
        l.client.setManualAcks(true);
        l.client.setCallback(l);
        link = l;
        l.watchdog = watch(() -> connectTimedOut(l), timing.connectTimeout());
        LOG.debug("connecting to {} (connection #{})", config.brokerUrl(), l.id);
        try {
            l.client.connect(options(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    supervise(() -> connected(l, token.getSessionPresent()));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    supervise(() -> lost(l, "connect failed: " + error, error));
                }
            });
        } catch (MqttException e) {
            lost(l, "connect failed: " + e, e);
        }
    }

    private void connected(Link l, boolean sessionPresent) {
        if (l.dead || l != link) {
            return;
        }
        cancel(l);
        l.connected = true;
        LOG.debug("connected to {} (connection #{}, session present: {})", config.brokerUrl(), l.id, sessionPresent);
        if (!firstConnection.isDone()) {
            firstConnection.complete(null);
        } else {
            LOG.info("Broker ingest reconnected to {} (connection #{})", config.brokerUrl(), l.id);
        }
        republish(l);
        subscribe(l);
    }

    private void subscribe(Link l) {
        List<String> filters = topicFilters();
        MqttSubscription[] subscriptions = new MqttSubscription[filters.size()];
        for (int i = 0; i < subscriptions.length; i++) {
            subscriptions[i] = new MqttSubscription(filters.get(i), 1);
        }
        l.watchdog = watch(() -> subscribeTimedOut(l), timing.subscribeTimeout());
        try {
            l.client.subscribe(subscriptions, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    supervise(() -> subscribed(l, filters, token.getReasonCodes()));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    supervise(() -> lost(l, "SUBSCRIBE failed: " + error, error));
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            lost(l, "SUBSCRIBE failed: " + e, e);
        }
    }

    private void subscribed(Link l, List<String> filters, int[] granted) {
        if (l.dead || l != link) {
            return;
        }
        cancel(l);
        l.subscribed = true;
        backoff = timing.reconnectMin();
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
        LOG.debug("subscribed to {} (connection #{})", filters, l.id);
    }

    private void connectTimedOut(Link l) {
        if (l.dead || l != link || l.connected) {
            return;
        }
        metrics.increment("broker_connect_timeouts_total");
        LOG.warn("Broker {}: no CONNACK within {} ms (connection #{}); connecting again", config.brokerUrl(),
                timing.connectTimeout().toMillis(), l.id);
        if (failFirst(new TimeoutException("no CONNACK within " + timing.connectTimeout().toMillis() + " ms"))) {
            abandon(l);
            return;
        }
        abandon(l);
        scheduleReconnect();
    }

    private void subscribeTimedOut(Link l) {
        if (l.dead || l != link || l.subscribed) {
            return;
        }
        metrics.increment("broker_subscribe_timeouts_total");
        LOG.warn("Broker {}: no SUBACK within {} ms (connection #{}); dropping the connection and connecting again",
                config.brokerUrl(), timing.subscribeTimeout().toMillis(), l.id);
        abandon(l);
        scheduleReconnect();
    }

    /** The connection failed, was refused or lost: drop its client and try again after the backoff. */
    private void lost(Link l, String why, Throwable cause) {
        if (l.dead || l != link) {
            return;
        }
        if (failFirst(cause != null ? cause : new IllegalStateException(why))) {
            abandon(l);
            return;
        }
        if (l.connected) {
            metrics.increment("broker_disconnects_total");
            LOG.warn("Broker ingest lost {} (connection #{}): {}", config.brokerUrl(), l.id, why);
        } else {
            LOG.info("Broker {}: connection attempt #{} failed: {}", config.brokerUrl(), l.id, why);
        }
        abandon(l);
        scheduleReconnect();
    }

    /** Fails {@link #start} if the first connection is still awaited; true if it did. */
    private boolean failFirst(Throwable cause) {
        return firstConnection != null && !firstConnection.isDone() && firstConnection.completeExceptionally(cause);
    }

    private void cancel(Link l) {
        if (l.watchdog != null) {
            l.watchdog.cancel(false);
            l.watchdog = null;
        }
    }

    /** Marks the link dead (its late acks are dropped) and closes its client in the background. */
    private void abandon(Link l) {
        l.dead = true;
        cancel(l);
        if (link == l) {
            link = null;
        }
        try {
            closer.execute(() -> PahoClients.discard(l.client));
        } catch (RejectedExecutionException e) {
            PahoClients.discard(l.client);
        }
    }

    /** Exponential backoff: twice {@code d}, at most {@code max}. */
    private static Duration doubled(Duration d, Duration max) {
        Duration twice = d.multipliedBy(2);
        return twice.compareTo(max) > 0 ? max : twice;
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        Duration delay = backoff;
        backoff = doubled(backoff, timing.reconnectMax());
        try {
            supervisor.schedule(() -> supervise(this::connect), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("not reconnecting: closing");
        }
    }

    // ------------------------------------------------------------------ uplink

    private void onMessage(String topic, MqttMessage message, Link l) {
        Optional<Topics.Address> address = Topics.parse(topic);
        if (address.isEmpty() || !address.get().kind().isUplink()) {
            metrics.increment("broker_dropped_total", "reason", "topic_invalid");
            ack(message, l);
            return;
        }
        Topics.Address a = address.get();
        byte[] payload = message.getPayload();
        Optional<String> contentType = Optional.ofNullable(message.getProperties() == null ? null
                : message.getProperties().getContentType());
        Optional<PayloadFormat> format = UplinkIntake.format(a.kind(), contentType, payload);
        if (format.isEmpty()) {
            intake.refused(DecodeError.UNSUPPORTED_FORMAT);
            ack(message, l);
            return;
        }
        submit(new Uplink(Transport.BROKER, a.deviceId(), a.kind(), format.get(), payload, clock.instant()),
                message, l, RETRY_MIN);
    }

    private void submit(Uplink uplink, MqttMessage message, Link l, Duration backoff) {
        UplinkIntake.submit(ingest, uplink).thenAccept(r -> {
            if (r instanceof IngestResult.Unavailable) {
                retryLater(uplink, message, l, backoff);
            } else {
                if (r instanceof IngestResult.Stored stored) {
                    stored.sequence().ifPresent(seq -> acks.committed(uplink.deviceId(), seq));
                } else if (r instanceof IngestResult.Duplicate duplicate) {
                    acks.committed(uplink.deviceId(), duplicate.sequence());
                }
                // Committed, or rejected (retrying cannot help): either way the broker may forget it.
                ack(message, l);
            }
        });
    }

    private void retryLater(Uplink uplink, MqttMessage message, Link l, Duration backoff) {
        if (closed || l.dead) {
            return; // the broker redelivers it on the next connection
        }
        Duration next = doubled(backoff, RETRY_MAX);
        try {
            retries.schedule(() -> submit(uplink, message, l, next), backoff.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | NullPointerException e) {
            LOG.debug("not retrying {}: closing", uplink.deviceId());
        }
    }

    /**
     * Acknowledges a message on the connection it came from. Packet ids belong to a connection: a
     * message of a lost connection is never acknowledged on a later one (the broker redelivers it).
     * Should the connection die between the check and the PUBACK, the PUBACK stays in that connection's
     * client, which is never connected again.
     */
    private void ack(MqttMessage message, Link l) {
        if (message.getQos() == 0 || l.dead) {
            return;
        }
        try {
            l.client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            LOG.debug("ack of message {} failed: {}", message.getId(), e.toString());
        }
    }

    // ------------------------------------------------------------------ our publishes

    /**
     * A QoS 1 PUBLISH of ours (an ack or a command) until the broker acknowledges it. If its connection
     * is lost first, it is published again, topic and all, on the next one.
     */
    private final class Outgoing {
        final long id = outgoingIds.incrementAndGet();
        final String topic;
        final byte[] payload;
        final String contentType;
        final Runnable onDelivered;

        Outgoing(String topic, byte[] payload, String contentType, Runnable onDelivered) {
            this.topic = topic;
            this.payload = payload;
            this.contentType = contentType;
            this.onDelivered = onDelivered;
        }
    }

    /** Publishes through {@code l}; false (and forgotten) if the client refused it (not connected, window full). */
    private boolean publish(Outgoing o, Link l) {
        MqttMessage message = new MqttMessage(o.payload);
        message.setQos(1);
        MqttProperties props = new MqttProperties();
        props.setContentType(o.contentType);
        message.setProperties(props);
        outgoing.put(o.id, o);
        try {
            l.client.publish(o.topic, message, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    if (outgoing.remove(o.id, o)) {
                        o.onDelivered.run();
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    // kept: published again on the next connection
                    LOG.debug("publish on {} not acknowledged on connection #{}: {}", o.topic, l.id, error.toString());
                }
            });
            return true;
        } catch (MqttException e) {
            outgoing.remove(o.id, o);
            LOG.debug("publish on {} refused: {}", o.topic, e.toString());
            return false;
        }
    }

    /** Supervisor thread, on a new connection: what the broker had not acknowledged goes out again. */
    private void republish(Link l) {
        List<Outgoing> again = new ArrayList<>(outgoing.values());
        int n = 0;
        for (Outgoing o : again) {
            if (outgoing.remove(o.id, o)) {
                if (publish(o, l)) {
                    n++;
                } else {
                    LOG.warn("Broker {}: could not publish again on {} after reconnecting", config.brokerUrl(), o.topic);
                }
            }
        }
        if (n > 0) {
            metrics.add("broker_republished_total", n);
            LOG.debug("published {} unacknowledged messages again (connection #{})", n, l.id);
        }
    }

    /** Publishes an ack (CBOR, QoS 1, not retained); false if the client is not connected or refused it. */
    private boolean publishAck(String topic, byte[] payload) {
        Link l = link;
        if (l == null || l.dead || !l.client.isConnected()) {
            return false;
        }
        return publish(new Outgoing(topic, payload, PayloadFormat.CBOR.mediaType(MessageKind.ACK), () -> { }), l);
    }

    // ------------------------------------------------------------------ downlink

    /**
     * Publishes the command (CBOR, QoS 1) to {@code fl/v1/{deviceId}/cmd} on the broker; the hub hears
     * {@link Downlink#delivered} when the broker acknowledged it (the broker then owns delivery to
     * the device's session). Published again on the next connection if the broker had not
     * acknowledged it when the connection was lost.
     */
    @Override
    public boolean send(String deviceId, Command command) {
        Link l = link;
        if (l == null || l.dead || !l.client.isConnected()) {
            return false;
        }
        Outgoing o = new Outgoing(Topics.topic(deviceId, MessageKind.COMMAND), CODEC.encode(command, PayloadFormat.CBOR),
                PayloadFormat.CBOR.mediaType(MessageKind.COMMAND), () -> downlink.delivered(deviceId, command.id()));
        if (!publish(o, l)) {
            // e.g. 32202 "too many publishes in progress": the hub keeps it pending.
            return false;
        }
        metrics.increment("broker_commands_sent_total");
        return true;
    }

    /** Any device may be reachable through the broker while we are connected to it. */
    @Override
    public boolean reaches(String deviceId) {
        return connected();
    }
}
