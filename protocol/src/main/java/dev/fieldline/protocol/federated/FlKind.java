package dev.fieldline.protocol.federated;

import java.util.Optional;

/**
 * The federated-learning messages on the device link (docs/protocol.md §10), with their topic and
 * resource suffix and direction. They travel beside the six kinds of {@link dev.fieldline.protocol.MessageKind}
 * on the same device topics ({@code fl/v1/{id}/fl/...}) and resources ({@code /v1/d/{id}/fl/...}),
 * but are not journaled, sequenced or stored as telemetry.
 */
public enum FlKind {
    /** device → gateway: "I can train this model" (repeated as a heartbeat while it can). */
    JOIN("fl/join", true),
    /** gateway → device: the round task for a sampled device. */
    TASK("fl/task", false),
    /** device → gateway: one chunk of the global weights, please. */
    FETCH("fl/fetch", true),
    /** gateway → device: one chunk of the global weights. */
    CHUNK("fl/chunk", false),
    /** device → gateway: one chunk of the device's update. */
    UPDATE("fl/update", true),
    /** gateway → device: what became of the device's update. */
    RECEIPT("fl/receipt", false);

    private final String suffix;
    private final boolean uplink;

    FlKind(String suffix, boolean uplink) {
        this.suffix = suffix;
        this.uplink = uplink;
    }

    public String suffix() {
        return suffix;
    }

    public boolean isUplink() {
        return uplink;
    }

    public static Optional<FlKind> fromSuffix(String suffix) {
        for (FlKind k : values()) {
            if (k.suffix.equals(suffix)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
