package dev.fieldline.gateway.cloud;

/** Where the gateway puts what it forwards to the cloud: a durable outbox drained in order. */
public interface CloudForward {
    /**
     * Keeps the record for sending; returns once it is durable (it survives a gateway restart), or
     * false when the outbox is full (counted). Never waits on the network.
     */
    boolean forward(CloudRecord record);
}
