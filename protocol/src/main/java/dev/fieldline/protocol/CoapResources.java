package dev.fieldline.protocol;

import java.util.List;
import java.util.Optional;

/**
 * CoAP resource paths on the gateway: {@code /v1/d/{deviceId}/{kind}} with the same kind suffixes
 * as the MQTT topics. Devices POST uplink kinds and GET+Observe {@code cmd}.
 */
public final class CoapResources {
    public static final String ROOT = "v1";
    public static final String DEVICES = "d";

    private CoapResources() {
    }

    /** The path without a leading slash, e.g. {@code v1/d/dev-1/telemetry}. */
    public static String path(String deviceId, MessageKind kind) {
        return ROOT + "/" + DEVICES + "/" + DeviceIds.require(deviceId, "deviceId") + "/" + kind.suffix();
    }

    /** Parses path segments such as {@code [v1, d, dev-1, cmd, result]}. */
    public static Optional<Topics.Address> parse(List<String> segments) {
        if (segments.size() < 4 || !ROOT.equals(segments.get(0)) || !DEVICES.equals(segments.get(1))) {
            return Optional.empty();
        }
        String deviceId = segments.get(2);
        if (!DeviceIds.isValid(deviceId)) {
            return Optional.empty();
        }
        String suffix = String.join("/", segments.subList(3, segments.size()));
        return MessageKind.fromSuffix(suffix).map(kind -> new Topics.Address(deviceId, kind));
    }
}
