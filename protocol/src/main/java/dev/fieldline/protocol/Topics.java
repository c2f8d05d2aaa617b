package dev.fieldline.protocol;

import java.util.Optional;

/**
 * MQTT topic scheme: {@code fl/v1/{deviceId}/{kind}} where kind is one of {@link MessageKind}'s
 * suffixes ({@code telemetry}, {@code event}, {@code status}, {@code cmd}, {@code cmd/result},
 * {@code ack}).
 */
public final class Topics {
    public static final String PREFIX = "fl/v1/";

    private Topics() {
    }

    public static String topic(String deviceId, MessageKind kind) {
        return PREFIX + DeviceIds.require(deviceId, "deviceId") + "/" + kind.suffix();
    }

    /** A subscription filter for one kind from every device, e.g. {@code fl/v1/+/telemetry}. */
    public static String allDevices(MessageKind kind) {
        return PREFIX + "+/" + kind.suffix();
    }

    /** Parses a topic of the scheme; empty for anything else (wrong prefix, bad id, unknown kind). */
    public static Optional<Address> parse(String topic) {
        if (topic == null || !topic.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String rest = topic.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String deviceId = rest.substring(0, slash);
        if (!DeviceIds.isValid(deviceId)) {
            return Optional.empty();
        }
        return MessageKind.fromSuffix(rest.substring(slash + 1)).map(kind -> new Address(deviceId, kind));
    }

    /** A device and message kind, as named by a topic or a CoAP resource path. */
    public record Address(String deviceId, MessageKind kind) {
    }
}
