package dev.fieldline.protocol.federated;

import dev.fieldline.protocol.CoapResources;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.Topics;
import java.util.List;
import java.util.Optional;

/**
 * Where federated messages travel: MQTT topics {@code fl/v1/{deviceId}/fl/{join|task|fetch|chunk|update|receipt}}
 * and CoAP resources {@code /v1/d/{deviceId}/fl/{join|chunk|update}} (docs/protocol.md §10.1).
 */
public final class FlAddresses {

    private FlAddresses() {
    }

    /** A device and federated message kind, as named by a topic or a CoAP resource path. */
    public record FlAddress(String deviceId, FlKind kind) {
    }

    public static String topic(String deviceId, FlKind kind) {
        return Topics.PREFIX + DeviceIds.require(deviceId, "deviceId") + "/" + kind.suffix();
    }

    /** A subscription filter for one kind from every device, e.g. {@code fl/v1/+/fl/update}. */
    public static String allDevices(FlKind kind) {
        return Topics.PREFIX + "+/" + kind.suffix();
    }

    /** Parses a topic; empty for anything that is not a federated topic of a valid device id. */
    public static Optional<FlAddress> parseTopic(String topic) {
        if (topic == null || !topic.startsWith(Topics.PREFIX)) {
            return Optional.empty();
        }
        String rest = topic.substring(Topics.PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash <= 0 || !DeviceIds.isValid(rest.substring(0, slash))) {
            return Optional.empty();
        }
        String deviceId = rest.substring(0, slash);
        return FlKind.fromSuffix(rest.substring(slash + 1)).map(k -> new FlAddress(deviceId, k));
    }

    /** The CoAP path without a leading slash, e.g. {@code v1/d/dev-1/fl/join}. */
    public static String coapPath(String deviceId, FlKind kind) {
        return CoapResources.ROOT + "/" + CoapResources.DEVICES + "/" + DeviceIds.require(deviceId, "deviceId") + "/"
                + kind.suffix();
    }

    /** Parses CoAP path segments such as {@code [v1, d, dev-1, fl, join]}. */
    public static Optional<FlAddress> parseCoap(List<String> segments) {
        if (segments.size() != 5 || !CoapResources.ROOT.equals(segments.get(0))
                || !CoapResources.DEVICES.equals(segments.get(1)) || !DeviceIds.isValid(segments.get(2))) {
            return Optional.empty();
        }
        return FlKind.fromSuffix(segments.get(3) + "/" + segments.get(4)).map(k -> new FlAddress(segments.get(2), k));
    }
}
