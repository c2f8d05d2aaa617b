package dev.fieldline.protocol;

import java.util.Optional;

/** The kinds of message on the device link, with their topic/resource suffix and direction. */
public enum MessageKind {
    TELEMETRY("telemetry", true),
    EVENT("event", true),
    STATUS("status", true),
    COMMAND_RESULT("cmd/result", true),
    COMMAND("cmd", false),
    /** Commit watermark, gateway to device (used from the journal onwards). */
    ACK("ack", false);

    private final String suffix;
    private final boolean uplink;

    MessageKind(String suffix, boolean uplink) {
        this.suffix = suffix;
        this.uplink = uplink;
    }

    /** The last part of the MQTT topic and of the CoAP resource path, e.g. {@code cmd/result}. */
    public String suffix() {
        return suffix;
    }

    /** True for device-to-gateway messages. */
    public boolean isUplink() {
        return uplink;
    }

    public static Optional<MessageKind> fromSuffix(String suffix) {
        for (MessageKind k : values()) {
            if (k.suffix.equals(suffix)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
