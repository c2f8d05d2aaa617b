package dev.fieldline.agent.uplink;

import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.federated.FlMessage;

/** Callbacks from an {@link Uplink}; called on transport threads, so hand work off quickly. */
public interface UplinkListener {

    void connected();

    void disconnected(String cause);

    /** A downlink command arrived (already decoded). */
    void command(Command command);

    /** The gateway says which messages it has committed (only uplinks that receive ack messages call it). */
    default void ack(Ack ack) {
    }

    /** A federated-learning downlink arrived (task, chunk, receipt; already decoded). */
    default void federated(FlMessage message) {
    }
}
