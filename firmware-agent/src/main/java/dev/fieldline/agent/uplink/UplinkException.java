package dev.fieldline.agent.uplink;

import dev.fieldline.agent.AgentException;

/** A send did not get acknowledged; {@link #failure()} says whether retrying can help. */
public final class UplinkException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** Whether a failed message should be sent again. */
    public enum Failure {
        /** The peer refused this message (CoAP 4.xx, MQTT PUBACK reason >= 0x80): drop it, count it. */
        REJECTED,
        /** Not connected, timed out or the peer is overloaded (5.xx): keep it and retry later. */
        UNAVAILABLE
    }

    private final Failure failure;

    public UplinkException(Failure failure, String message) {
        super(Reason.UPLINK, message);
        this.failure = failure;
    }

    public UplinkException(Failure failure, String message, Throwable cause) {
        super(Reason.UPLINK, message, cause);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }

    /** The failure kind of any throwable from a send future (UNAVAILABLE unless it says otherwise). */
    public static Failure failureOf(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof UplinkException u) {
                return u.failure;
            }
            c = c.getCause();
        }
        return Failure.UNAVAILABLE;
    }
}
