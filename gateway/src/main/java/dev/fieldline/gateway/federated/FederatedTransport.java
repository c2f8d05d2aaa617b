package dev.fieldline.gateway.federated;

import dev.fieldline.protocol.federated.FlMessage;

/**
 * A way to push federated messages to devices (the MQTT endpoint publishes on the device's
 * {@code fl/v1/{id}/fl/...} topics). CoAP needs none: a CoAP device gets its task as the answer to its
 * {@code fl/join}, chunks as answers to GETs and receipts as answers to its uploads.
 */
public interface FederatedTransport {
    /** Sends now if this transport reaches the device; false if it does not (or the device has not subscribed). */
    boolean send(String deviceId, FlMessage message);
}
