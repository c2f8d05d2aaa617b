package dev.fieldline.agent.uplink;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.federated.FlMessage;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The transport seam between the agent and a gateway: start, stop, send bytes of a message kind,
 * and a listener for connection changes and downlink commands. Implementations connect in the
 * background and reconnect with backoff; {@link #start} never fails because the gateway is down.
 */
public interface Uplink extends AutoCloseable {

    /** Starts connecting; the listener is called on the transport's threads. */
    void start(UplinkListener listener);

    /**
     * Sends one message. The future completes when the peer has acknowledged it (MQTT PUBACK,
     * CoAP 2.xx), or fails with an {@link UplinkException}: {@code REJECTED} (do not retry) or
     * {@code UNAVAILABLE} (retry later). Never blocks.
     */
    CompletableFuture<Void> send(MessageKind kind, byte[] payload);

    /**
     * Sends a federated-learning uplink (docs/protocol.md §10). The future completes when the gateway
     * has it, with the gateway's answer where the transport carries one (CoAP: the response's task,
     * chunk or receipt); over MQTT answers arrive through {@link UplinkListener#federated}.
     */
    default CompletableFuture<Optional<FlMessage>> sendFederated(FlMessage message) {
        return CompletableFuture.failedFuture(new UplinkException(UplinkException.Failure.REJECTED,
                describe() + " does not carry federated learning"));
    }

    /** True while connected (MQTT session up; CoAP peer answering). */
    boolean isConnected();

    /** How many sends may be unacknowledged at once right now (at least 1). */
    int maxInFlight();

    /** Successful connections after the first one. */
    long reconnects();

    /** Connection attempts dropped because the broker's CONNACK did not come in time (0 for non-MQTT uplinks). */
    default long connectTimeouts() {
        return 0;
    }

    /** Connections dropped because the SUBACK did not come in time (0 for non-MQTT uplinks). */
    default long subscribeTimeouts() {
        return 0;
    }

    /** Short name of the transport and peer, for logs, e.g. {@code mqtt tcp://127.0.0.1:1883}. */
    String describe();

    /** Disconnects cleanly if connected and releases threads and sockets. */
    @Override
    void close();
}
