package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.federated.FlAddresses;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Topics;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttIdentifierRejectedException;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.handler.codec.mqtt.MqttTopicSubscription;
import io.netty.handler.codec.mqtt.MqttUnacceptableProtocolVersionException;
import io.netty.handler.codec.mqtt.MqttUnsubAckMessage;
import io.netty.handler.codec.mqtt.MqttUnsubAckPayload;
import io.netty.handler.codec.mqtt.MqttUnsubscribeMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device connection to the {@link MqttEndpoint}. Every method but {@link #sendCommand},
 * {@link #subscribedToCommands} and {@link #shutDown} runs on the channel's event loop, so the
 * state needs no locks.
 */
final class MqttConnection extends SimpleChannelInboundHandler<MqttMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    static final String IDLE_HANDLER = "idle";
    /** A connection must send CONNECT within this time. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Unacknowledged QoS 1 PUBLISHes a connection may have in flight (MQTT 5 Receive Maximum). */
    static final int RECEIVE_MAXIMUM = 1024;
    /** Commands in flight to one device before {@link #sendCommand} says "not now". */
    static final int MAX_COMMANDS_IN_FLIGHT = 64;
    private static final int MAX_REASON_STRING = 200;
    private static final MessageCodec CODEC = new MessageCodec();

    // MQTT 5 reason codes (spec 2.4)
    static final byte SUCCESS = 0x00;
    static final byte NOT_AUTHORIZED = (byte) 0x87;
    static final byte TOPIC_NAME_INVALID = (byte) 0x90;
    static final byte IMPLEMENTATION_SPECIFIC_ERROR = (byte) 0x83;
    static final byte PACKET_TOO_LARGE = (byte) 0x95;
    static final byte PAYLOAD_FORMAT_INVALID = (byte) 0x99;
    static final byte QOS_NOT_SUPPORTED = (byte) 0x9B;
    static final byte MALFORMED_PACKET = (byte) 0x81;
    static final byte PROTOCOL_ERROR = (byte) 0x82;
    static final byte SERVER_BUSY = (byte) 0x89;
    static final byte SERVER_SHUTTING_DOWN = (byte) 0x8B;
    static final byte KEEP_ALIVE_TIMEOUT = (byte) 0x8D;
    static final byte SESSION_TAKEN_OVER = (byte) 0x8E;
    static final byte RECEIVE_MAXIMUM_EXCEEDED = (byte) 0x93;
    static final byte DISCONNECT_WITH_WILL = 0x04;
    static final byte NO_SUBSCRIPTION_EXISTED = 0x11;

    private final MqttEndpoint endpoint;
    private final ArrayDeque<PendingAck> pendingAcks = new ArrayDeque<>();
    /** Outbound command PUBLISHes awaiting PUBACK: packet id to command id. */
    private final Map<Integer, String> commandsInFlight = new HashMap<>();
    private final AtomicInteger commandsInFlightCount = new AtomicInteger();

    private Channel channel;
    private String deviceId;
    private boolean connected;
    private boolean v5;
    private boolean problemInformation = true;
    private Will will;
    /** True once the will must not be published (graceful DISCONNECT, take-over, refused by the gateway). */
    private boolean willSettled;
    private volatile boolean cmdSubscribed;
    private volatile MqttQoS cmdQos = MqttQoS.AT_LEAST_ONCE;
    private int nextPacketId = 1;
    /** Federated downlink topics the device subscribed to. */
    private final java.util.Set<FlKind> flSubscribed = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final FlCodec FL_CODEC = new FlCodec();

    MqttConnection(MqttEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    private record Will(String topic, byte[] payload, Optional<String> contentType) {
    }

    /** A QoS 1 PUBLISH awaiting its PUBACK, which may only go out once all earlier ones have. */
    private static final class PendingAck {
        final int packetId;
        boolean done;
        /** Ingest could not take it: no PUBACK, the connection is closed instead. */
        boolean unavailable;
        byte reasonCode;
        String reasonString;

        PendingAck(int packetId) {
            this.packetId = packetId;
        }
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (connected) {
            endpoint.detach(deviceId, this);
            cmdSubscribed = false;
            if (will != null && !willSettled && !endpoint.closing()) {
                publishWill();
            }
            LOG.debug("MQTT device {} disconnected", deviceId);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            String reason = connected ? "keep_alive_timeout" : "connect_timeout";
            endpoint.metrics().increment("mqtt_disconnects_total", "reason", reason);
            LOG.debug("MQTT {} {}: closing", describe(), reason);
            disconnect(KEEP_ALIVE_TIMEOUT);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("MQTT {}: {}", describe(), cause.toString());
        ctx.close();
    }

    /** The endpoint is closing: say so (MQTT 5) and close without the will. */
    void shutDown() {
        Channel ch = channel;
        if (ch != null) {
            onLoop(() -> {
                willSettled = true;
                disconnect(SERVER_SHUTTING_DOWN);
            });
        }
    }

    /** The device was disabled or re-keyed: close without its will (MQTT 5 DISCONNECT 0x87 "not authorized"). */
    void revoke() {
        onLoop(() -> {
            willSettled = true;
            endpoint.metrics().increment("mqtt_disconnects_total", "reason", "revoked");
            disconnect(NOT_AUTHORIZED);
        });
    }

    /** Another connection with the same client id arrived (MQTT 3.1.4-3): close this one. */
    private void takenOver() {
        onLoop(() -> {
            // The device is evidently alive: its will would only mark it offline after it reconnected.
            willSettled = true;
            endpoint.metrics().increment("mqtt_disconnects_total", "reason", "taken_over");
            disconnect(SESSION_TAKEN_OVER);
        });
    }

    // ------------------------------------------------------------------ dispatch

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
        DecoderResult result = msg.decoderResult();
        if (result.isFailure()) {
            onDecoderFailure(msg, result.cause());
            return;
        }
        MqttMessageType type = msg.fixedHeader().messageType();
        if (!connected) {
            if (type == MqttMessageType.CONNECT) {
                onConnect((MqttConnectMessage) msg);
            } else {
                endpoint.metrics().increment("mqtt_connect_refused_total", "reason", "protocol_error");
                ctx.close();
            }
            return;
        }
        switch (type) {
            case PUBLISH -> onPublish((MqttPublishMessage) msg);
            case PUBACK -> onPubAck(((MqttMessageIdVariableHeader) msg.variableHeader()).messageId());
            case SUBSCRIBE -> onSubscribe((MqttSubscribeMessage) msg);
            case UNSUBSCRIBE -> onUnsubscribe((MqttUnsubscribeMessage) msg);
            case PINGREQ -> ctx.writeAndFlush(new MqttMessage(new MqttFixedHeader(
                    MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
            case DISCONNECT -> onDisconnect(msg);
            default -> {
                // CONNECT twice, QoS 2 flow packets (we never grant QoS 2), AUTH: protocol errors.
                endpoint.metrics().increment("mqtt_disconnects_total", "reason", "protocol_error");
                LOG.debug("MQTT {}: unexpected {}, closing", describe(), type);
                disconnect(PROTOCOL_ERROR);
            }
        }
    }

    private void onDecoderFailure(MqttMessage msg, Throwable cause) {
        if (!connected) {
            if (cause instanceof MqttUnacceptableProtocolVersionException) {
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION, "unsupported_version");
                return;
            }
            if (cause instanceof MqttIdentifierRejectedException) {
                // Only MQTT 3.1 client ids are length-checked by the decoder.
                refuse(MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "identifier_rejected");
                return;
            }
        }
        // After a decoder failure Netty's MqttDecoder discards the rest of the stream: the connection is done.
        boolean tooLarge = cause instanceof TooLongFrameException;
        String reason = tooLarge ? "packet_too_large" : "malformed_packet";
        endpoint.metrics().increment("mqtt_dropped_total", "reason", reason);
        LOG.debug("MQTT {}: {} ({}), closing", describe(), reason, cause.getMessage());
        endpoint.metrics().increment(connected ? "mqtt_disconnects_total" : "mqtt_connect_refused_total", "reason", reason);
        disconnect(tooLarge ? PACKET_TOO_LARGE : MALFORMED_PACKET);
    }

    // ------------------------------------------------------------------ CONNECT

    private void onConnect(MqttConnectMessage msg) {
        var header = msg.variableHeader();
        var payload = msg.payload();
        v5 = header.version() == MqttVersion.MQTT_5.protocolLevel();
        String clientId = payload.clientIdentifier();
        if (!DeviceIds.isValid(clientId)) {
            refuse(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID
                    : MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED, "identifier_rejected");
            return;
        }
        if (v5 && header.isWillFlag() && header.willQos() > 1) {
            refuse(MqttConnectReturnCode.CONNECTION_REFUSED_QOS_NOT_SUPPORTED, "qos_not_supported");
            return;
        }
        MqttAuthenticator.Decision decision = endpoint.authenticator().decide(clientId,
                Optional.ofNullable(header.hasUserName() ? payload.userName() : null),
                Optional.ofNullable(header.hasPassword() ? payload.passwordInBytes() : null), clientCertificate());
        if (decision instanceof MqttAuthenticator.Refuse r) {
            refuse(r.notAuthorized()
                    ? (v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5 : MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED)
                    : (v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                            : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD), r.reason());
            return;
        }
        Optional<String> identity = Optional.of(((MqttAuthenticator.Accept) decision).deviceId());
        if (!DeviceIds.isValid(identity.get())) {
            refuse(v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD
                    : MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD, "bad_credentials");
            return;
        }
        if (v5) {
            MqttProperties.MqttProperty<?> rpi = header.properties().getProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION);
            problemInformation = rpi == null || !Integer.valueOf(0).equals(rpi.value());
        }
        deviceId = identity.get();
        if (header.isWillFlag()) {
            will = new Will(payload.willTopic(), payload.willMessageInBytes(),
                    contentType(payload.willProperties()));
        }
        int keepAlive = header.keepAliveTimeSeconds();
        if (keepAlive > 0) {
            // MQTT 3.1.2.10: one and a half times the keep alive without a packet, and the client is gone.
            channel.pipeline().replace(IDLE_HANDLER, IDLE_HANDLER,
                    new IdleStateHandler(keepAlive * 1500L, 0, 0, TimeUnit.MILLISECONDS));
        } else {
            channel.pipeline().remove(IDLE_HANDLER);
        }
        connected = true;
        MqttConnection previous = endpoint.attach(deviceId, this);
        if (previous != null && previous != this) {
            previous.takenOver();
        }
        MqttMessageBuilders.ConnAckBuilder ack = MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                .sessionPresent(false);
        if (v5) {
            ack.properties(p -> p
                    .receiveMaximum(RECEIVE_MAXIMUM)
                    .maximumQos((byte) 1)
                    .maximumPacketSize(endpoint.config().maxPayloadBytes() + (long) MqttEndpoint.HEADER_ROOM)
                    .sessionExpiryInterval(0)
                    .topicAliasMaximum(0)
                    .wildcardSubscriptionAvailable(false)
                    .sharedSubscriptionAvailable(false)
                    .subscriptionIdentifiersAvailable(false));
        }
        channel.writeAndFlush(ack.build());
        endpoint.metrics().increment("mqtt_connections_total");
        LOG.debug("MQTT device {} connected (MQTT {}, keep-alive {} s)", deviceId, v5 ? "5" : "3.1.1", keepAlive);
    }

    private void refuse(MqttConnectReturnCode code, String reason) {
        endpoint.metrics().increment("mqtt_connect_refused_total", "reason", reason);
        LOG.debug("MQTT CONNECT from {} refused: {}", channel.remoteAddress(), reason);
        MqttConnAckMessage ack = MqttMessageBuilders.connAck().returnCode(code).sessionPresent(false).build();
        channel.writeAndFlush(ack).addListener(ChannelFutureListener.CLOSE);
    }

    // ------------------------------------------------------------------ PUBLISH (uplink)

    private void onPublish(MqttPublishMessage msg) {
        MqttQoS qos = msg.fixedHeader().qosLevel();
        if (qos == MqttQoS.EXACTLY_ONCE || qos == MqttQoS.FAILURE) {
            // We never offer QoS 2 (CONNACK Maximum QoS 1 in MQTT 5): a protocol error (MQTT 5 3.3.1.2).
            endpoint.metrics().increment("mqtt_dropped_total", "reason", "qos_not_supported");
            endpoint.metrics().increment("mqtt_disconnects_total", "reason", "qos_not_supported");
            disconnect(QOS_NOT_SUPPORTED);
            return;
        }
        PendingAck ack = null;
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            ack = new PendingAck(msg.variableHeader().packetId());
            pendingAcks.addLast(ack);
            if (pendingAcks.size() > RECEIVE_MAXIMUM) {
                if (v5) {
                    endpoint.metrics().increment("mqtt_disconnects_total", "reason", "receive_maximum_exceeded");
                    disconnect(RECEIVE_MAXIMUM_EXCEEDED);
                    return;
                }
                channel.config().setAutoRead(false);
            }
        }
        String topic = msg.variableHeader().topicName();
        Optional<FlAddresses.FlAddress> fl = FlAddresses.parseTopic(topic);
        if (fl.isPresent()) {
            onFederated(fl.get(), msg, ack);
            return;
        }
        Optional<Topics.Address> address = Topics.parse(topic);
        if (address.isEmpty()) {
            dropped(ack, "topic_invalid", TOPIC_NAME_INVALID, "not a topic of the fl/v1 scheme");
            return;
        }
        Topics.Address a = address.get();
        if (!a.kind().isUplink() || !a.deviceId().equals(deviceId)) {
            dropped(ack, "not_authorized", NOT_AUTHORIZED, "device " + deviceId + " may not publish to " + topic);
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(msg.payload());
        if (payload.length > endpoint.config().maxPayloadBytes()) {
            refused(ack, DecodeError.TOO_LARGE, "payload of " + payload.length + " bytes exceeds "
                    + endpoint.config().maxPayloadBytes());
            return;
        }
        Optional<String> contentType = v5 ? contentType(msg.variableHeader().properties()) : Optional.empty();
        Optional<PayloadFormat> format = UplinkIntake.format(a.kind(), contentType, payload);
        if (format.isEmpty()) {
            refused(ack, DecodeError.UNSUPPORTED_FORMAT, contentType
                    .map(ct -> "content type '" + ct + "' is not accepted for " + a.kind().suffix())
                    .orElse("payload is neither JSON nor CBOR"));
            return;
        }
        submit(new Uplink(Transport.MQTT, deviceId, a.kind(), format.get(), payload, endpoint.clock().instant()), ack);
    }

    private void submit(Uplink uplink, PendingAck ack) {
        UplinkIntake.submit(endpoint.ingest(), uplink).thenAccept(r -> {
            if (ack != null) {
                onLoop(() -> {
                    complete(ack, r);
                    flushAcks();
                });
            }
        });
    }

    private void complete(PendingAck ack, IngestResult r) {
        ack.done = true;
        if (r.committed()) {
            ack.reasonCode = SUCCESS;
        } else if (r instanceof IngestResult.Rejected rej) {
            ack.reasonCode = pubAckReason(rej.reason());
            ack.reasonString = rej.reason().code() + ": " + rej.message();
        } else {
            ack.unavailable = true;
        }
    }

    /** Dropped by the endpoint (wrong topic): counted; MQTT 3.1.1 gets a PUBACK as retrying cannot help. */
    private void dropped(PendingAck ack, String reason, byte reasonCode, String message) {
        endpoint.metrics().increment("mqtt_dropped_total", "reason", reason);
        LOG.debug("MQTT {}: PUBLISH dropped, {}: {}", deviceId, reason, message);
        settle(ack, reasonCode, reason + ": " + message);
    }

    /** Refused by the endpoint before reaching Ingest (size, format): counted as an ingest rejection. */
    private void refused(PendingAck ack, DecodeError reason, String message) {
        endpoint.intake().refused(reason);
        LOG.debug("MQTT {}: PUBLISH refused, {}: {}", deviceId, reason.code(), message);
        settle(ack, pubAckReason(reason), reason.code() + ": " + message);
    }

    /**
     * The MQTT 5 PUBACK reason for a refused payload. PUBACK may not carry 0x95 "packet too large"
     * (spec 3.4.2.1; Paho drops the connection on it), so an oversized payload that still fit the
     * packet limit gets 0x83 "implementation specific error" with a reason string.
     */
    private static byte pubAckReason(DecodeError reason) {
        return reason == DecodeError.TOO_LARGE ? IMPLEMENTATION_SPECIFIC_ERROR : PAYLOAD_FORMAT_INVALID;
    }

    private void settle(PendingAck ack, byte reasonCode, String reasonString) {
        if (ack != null) {
            ack.done = true;
            ack.reasonCode = reasonCode;
            ack.reasonString = reasonString;
            flushAcks();
        }
    }

    /** Sends the PUBACKs at the head of the queue that are settled, in PUBLISH order. */
    private void flushAcks() {
        boolean wrote = false;
        while (!pendingAcks.isEmpty() && pendingAcks.peekFirst().done) {
            PendingAck a = pendingAcks.pollFirst();
            if (a.unavailable) {
                // No PUBACK: the message is not stored. Closing makes every client retry later (its journal
                // or its session resends); a PUBACK 0x97 would end the QoS 1 flow as if handled.
                endpoint.metrics().increment("mqtt_disconnects_total", "reason", "ingest_unavailable");
                pendingAcks.clear();
                willSettled = true;
                disconnect(SERVER_BUSY);
                return;
            }
            channel.write(pubAck(a));
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
        if (!channel.config().isAutoRead() && pendingAcks.size() <= RECEIVE_MAXIMUM / 2) {
            channel.config().setAutoRead(true);
        }
    }

    private MqttMessage pubAck(PendingAck a) {
        MqttMessageBuilders.PubAckBuilder b = MqttMessageBuilders.pubAck().packetId(a.packetId);
        if (v5 && a.reasonCode != SUCCESS) {
            b.reasonCode(a.reasonCode);
            if (problemInformation && a.reasonString != null) {
                MqttProperties props = new MqttProperties();
                props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, truncate(a.reasonString)));
                b.properties(props);
            }
        }
        return b.build();
    }

    // ------------------------------------------------------------------ federated learning

    /**
     * A federated uplink: handed to the service off the event loop; its answer (task, chunk, receipt)
     * is published to the device. The PUBLISH is acknowledged once handled (refused ones with a
     * reason code in MQTT 5; the decoder's refusals are counted by the service).
     */
    private void onFederated(FlAddresses.FlAddress a, MqttPublishMessage msg, PendingAck ack) {
        FederatedService service = endpoint.federated();
        if (service == null || !a.kind().isUplink() || !a.deviceId().equals(deviceId)) {
            dropped(ack, service == null ? "federated_off" : "not_authorized", service == null ? TOPIC_NAME_INVALID
                    : NOT_AUTHORIZED, "device " + deviceId + " may not publish to " + msg.variableHeader().topicName());
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(msg.payload());
        Optional<String> contentType = v5 ? contentType(msg.variableHeader().properties()) : Optional.empty();
        Optional<PayloadFormat> format = contentType.isPresent()
                ? PayloadFormat.fromMediaType(MessageKind.EVENT, contentType.get()) : PayloadFormat.sniff(payload);
        if (format.isEmpty()) {
            dropped(ack, "unsupported_format", PAYLOAD_FORMAT_INVALID, "payload is neither JSON nor CBOR");
            return;
        }
        PayloadFormat f = format.get();
        String device = deviceId;
        java.util.concurrent.CompletableFuture<byte[]> done;
        try {
            done = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    service.receive(device, a.kind(), payload, f).ifPresent(this::sendFederated);
                    return null;
                } catch (DecodeException e) {
                    return new byte[] {pubAckReason(e.reason())};
                }
            }, endpoint.federatedExecutor());
        } catch (java.util.concurrent.RejectedExecutionException e) {
            endpoint.metrics().increment("mqtt_dropped_total", "reason", "federated_overloaded");
            settle(ack, SERVER_BUSY, "federated uplinks overloaded");
            return;
        }
        done.whenComplete((refused, error) -> onLoop(() -> {
            if (error != null) {
                LOG.warn("MQTT {}: federated {} failed", device, a.kind().suffix(), error);
                settle(ack, IMPLEMENTATION_SPECIFIC_ERROR, "federated: " + error);
            } else {
                settle(ack, refused == null ? SUCCESS : refused[0], refused == null ? null : "refused");
            }
        }));
    }

    /** Publishes a federated downlink (QoS 0: the device asks again when one is lost) if the device subscribed to its topic. */
    boolean sendFederated(FlMessage message) {
        if (!flSubscribed.contains(message.kind())) {
            return false;
        }
        byte[] bytes = FL_CODEC.encode(message, PayloadFormat.CBOR);
        return onLoop(() -> {
            if (!channel.isActive()) {
                return;
            }
            MqttProperties props = MqttProperties.NO_PROPERTIES;
            if (v5) {
                props = new MqttProperties();
                props.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE,
                        PayloadFormat.CBOR.mediaType(MessageKind.EVENT)));
            }
            channel.writeAndFlush(MqttMessageBuilders.publish()
                    .topicName(FlAddresses.topic(deviceId, message.kind()))
                    .qos(MqttQoS.AT_MOST_ONCE)
                    .retained(false)
                    .properties(props)
                    .payload(Unpooled.wrappedBuffer(bytes))
                    .build());
        });
    }

    // ------------------------------------------------------------------ last will

    private void publishWill() {
        Optional<Topics.Address> address = Topics.parse(will.topic());
        if (address.isEmpty() || address.get().kind() != MessageKind.STATUS || !address.get().deviceId().equals(deviceId)) {
            endpoint.metrics().increment("mqtt_dropped_total", "reason", "will_topic_invalid");
            return;
        }
        Optional<PayloadFormat> format = UplinkIntake.format(MessageKind.STATUS, will.contentType(), will.payload());
        if (format.isEmpty()) {
            endpoint.intake().refused(DecodeError.UNSUPPORTED_FORMAT);
            return;
        }
        LOG.debug("MQTT device {} went away without DISCONNECT: submitting its will", deviceId);
        submit(new Uplink(Transport.MQTT, deviceId, MessageKind.STATUS, format.get(), will.payload(),
                endpoint.clock().instant()), null);
    }

    private void onDisconnect(MqttMessage msg) {
        // MQTT 5 reason 0x04 "disconnect with will message": the client asks for its will anyway.
        boolean withWill = v5 && msg.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h
                && h.reasonCode() == DISCONNECT_WITH_WILL;
        willSettled = !withWill;
        channel.close();
    }

    // ------------------------------------------------------------------ SUBSCRIBE / UNSUBSCRIBE

    private void onSubscribe(MqttSubscribeMessage msg) {
        int packetId = msg.idAndPropertiesVariableHeader().messageId();
        String cmdTopic = Topics.topic(deviceId, MessageKind.COMMAND);
        String ackTopic = Topics.topic(deviceId, MessageKind.ACK);
        List<Integer> codes = new ArrayList<>();
        boolean flushCommands = false;
        for (MqttTopicSubscription s : msg.payload().topicSubscriptions()) {
            String filter = s.topicFilter();
            MqttQoS granted = s.qualityOfService() == MqttQoS.AT_MOST_ONCE ? MqttQoS.AT_MOST_ONCE : MqttQoS.AT_LEAST_ONCE;
            if (filter.equals(cmdTopic)) {
                cmdQos = granted;
                cmdSubscribed = true;
                flushCommands = true;
                codes.add(granted.value());
            } else if (filter.equals(ackTopic)) {
                codes.add(granted.value());
            } else if (federatedDownlink(filter).isPresent()) {
                flSubscribed.add(federatedDownlink(filter).get());
                codes.add(MqttQoS.AT_MOST_ONCE.value());
            } else {
                endpoint.metrics().increment("mqtt_subscribe_refused_total");
                LOG.debug("MQTT {}: SUBSCRIBE {} refused", deviceId, filter);
                codes.add(v5 ? NOT_AUTHORIZED & 0xff : MqttQoS.FAILURE.value());
            }
        }
        channel.writeAndFlush(new MqttSubAckMessage(
                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                MqttMessageIdVariableHeader.from(packetId), new MqttSubAckPayload(codes)));
        if (flushCommands) {
            for (Command c : endpoint.downlink().pending(deviceId)) {
                if (!publishCommand(c)) {
                    break;
                }
            }
        }
    }

    private void onUnsubscribe(MqttUnsubscribeMessage msg) {
        String cmdTopic = Topics.topic(deviceId, MessageKind.COMMAND);
        String ackTopic = Topics.topic(deviceId, MessageKind.ACK);
        List<Short> codes = new ArrayList<>();
        for (String filter : msg.payload().topics()) {
            if (filter.equals(cmdTopic)) {
                codes.add((short) (cmdSubscribed ? SUCCESS : NO_SUBSCRIPTION_EXISTED));
                cmdSubscribed = false;
            } else if (federatedDownlink(filter).isPresent()) {
                codes.add((short) (flSubscribed.remove(federatedDownlink(filter).get()) ? SUCCESS : NO_SUBSCRIPTION_EXISTED));
            } else {
                codes.add((short) (filter.equals(ackTopic) ? SUCCESS : NO_SUBSCRIPTION_EXISTED));
            }
        }
        MqttFixedHeader fh = new MqttFixedHeader(MqttMessageType.UNSUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0);
        int packetId = msg.idAndPropertiesVariableHeader().messageId();
        channel.writeAndFlush(v5
                ? new MqttUnsubAckMessage(fh, new MqttMessageIdAndPropertiesVariableHeader(packetId, MqttProperties.NO_PROPERTIES),
                        new MqttUnsubAckPayload(toArray(codes)))
                : new MqttUnsubAckMessage(fh, MqttMessageIdVariableHeader.from(packetId)));
    }

    /** The federated downlink kind a filter names for this device ({@code fl/v1/{id}/fl/task|chunk|receipt}), if the gateway runs rounds. */
    private Optional<FlKind> federatedDownlink(String filter) {
        if (endpoint.federated() == null) {
            return Optional.empty();
        }
        return FlAddresses.parseTopic(filter).filter(a -> a.deviceId().equals(deviceId) && !a.kind().isUplink())
                .map(FlAddresses.FlAddress::kind);
    }

    // ------------------------------------------------------------------ commands (downlink)

    boolean subscribedToCommands() {
        return cmdSubscribed;
    }

    /** Called from any thread by the downlink hub. */
    boolean sendCommand(Command command) {
        if (!cmdSubscribed || commandsInFlightCount.get() >= MAX_COMMANDS_IN_FLIGHT) {
            return false;
        }
        return onLoop(() -> publishCommand(command));
    }

    private boolean publishCommand(Command command) {
        if (!cmdSubscribed || !channel.isActive()) {
            return false;
        }
        if (commandsInFlight.containsValue(command.id())) {
            return true;
        }
        if (commandsInFlight.size() >= MAX_COMMANDS_IN_FLIGHT) {
            return false;
        }
        MqttProperties props = MqttProperties.NO_PROPERTIES;
        if (v5) {
            props = new MqttProperties();
            props.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, PayloadFormat.CBOR.mediaType(MessageKind.COMMAND)));
        }
        MqttQoS qos = cmdQos;
        int packetId = qos == MqttQoS.AT_MOST_ONCE ? 0 : nextPacketId();
        MqttPublishMessage publish = MqttMessageBuilders.publish()
                .topicName(Topics.topic(deviceId, MessageKind.COMMAND))
                .qos(qos)
                .retained(false)
                .messageId(packetId)
                .properties(props)
                .payload(Unpooled.wrappedBuffer(CODEC.encode(command, PayloadFormat.CBOR)))
                .build();
        String device = deviceId;
        if (qos == MqttQoS.AT_MOST_ONCE) {
            channel.writeAndFlush(publish).addListener(f -> {
                if (f.isSuccess()) {
                    endpoint.downlink().delivered(device, command.id());
                }
            });
        } else {
            commandsInFlight.put(packetId, command.id());
            commandsInFlightCount.incrementAndGet();
            channel.writeAndFlush(publish);
        }
        endpoint.metrics().increment("mqtt_commands_sent_total");
        return true;
    }

    private void onPubAck(int packetId) {
        String commandId = commandsInFlight.remove(packetId);
        if (commandId != null) {
            commandsInFlightCount.decrementAndGet();
            endpoint.downlink().delivered(deviceId, commandId);
        }
    }

    private int nextPacketId() {
        do {
            nextPacketId = nextPacketId >= 0xffff ? 1 : nextPacketId + 1;
        } while (commandsInFlight.containsKey(nextPacketId));
        return nextPacketId;
    }

    // ------------------------------------------------------------------ helpers

    /** MQTT 5: DISCONNECT with a reason first; MQTT 3.1.1 servers just close. */
    private void disconnect(byte reasonCode) {
        if (!channel.isActive()) {
            return;
        }
        if (v5 && connected) {
            channel.writeAndFlush(MqttMessageBuilders.disconnect().reasonCode(reasonCode).build())
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }

    /** Runs the task on this connection's event loop (at once if already there); false if the loop is gone. */
    private boolean onLoop(Runnable task) {
        Channel ch = channel;
        if (ch == null) {
            return false;
        }
        if (ch.eventLoop().inEventLoop()) {
            task.run();
            return true;
        }
        try {
            ch.eventLoop().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static Optional<String> contentType(MqttProperties properties) {
        if (properties == null) {
            return Optional.empty();
        }
        MqttProperties.MqttProperty<?> p = properties.getProperty(MqttProperties.CONTENT_TYPE);
        return p == null ? Optional.empty() : Optional.of((String) p.value());
    }

    /**
     * A reason string fit for the wire: at most {@link #MAX_REASON_STRING} characters and no control
     * characters (parser messages can contain line feeds; Paho v5 drops the connection on those).
     */
    static String truncate(String s) {
        String cut = s.length() <= MAX_REASON_STRING ? s : s.substring(0, MAX_REASON_STRING);
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            b.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? ' ' : c);
        }
        return b.toString();
    }

    private static short[] toArray(List<Short> list) {
        short[] out = new short[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    private String describe() {
        return deviceId != null ? "device " + deviceId : String.valueOf(channel == null ? "?" : channel.remoteAddress());
    }

    /** The TLS client certificate of this connection (verified against the gateway CA), if any. */
    private Optional<java.security.cert.X509Certificate> clientCertificate() {
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls == null) {
            return Optional.empty();
        }
        try {
            java.security.cert.Certificate[] chain = tls.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x
                    ? Optional.of(x) : Optional.empty();
        } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
            return Optional.empty();
        }
    }
}
