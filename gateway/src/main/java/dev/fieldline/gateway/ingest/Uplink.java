package dev.fieldline.gateway.ingest;

import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.time.Instant;

/**
 * One uplink message as a transport received it, before decoding. The transport resolves the
 * format from its content-type signal (CoAP Content-Format, MQTT 5 content type, HTTP
 * Content-Type) or, where it has none (MQTT 3.1.1), by {@link PayloadFormat#sniff}.
 */
public record Uplink(
        Transport transport, String deviceId, MessageKind kind, PayloadFormat format, byte[] payload, Instant receivedAt) {

    public Uplink {
        DeviceIds.require(deviceId, "deviceId");
        if (!kind.isUplink()) {
            throw new IllegalArgumentException("kind " + kind + " is not an uplink kind");
        }
    }
}
