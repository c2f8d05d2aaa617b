package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.HalException;

/** A request the ESP32 bridge refused with an error reply; {@link #error()} is its code. */
public final class Esp32BridgeException extends HalException {
    private static final long serialVersionUID = 1L;

    /** The bridge's error codes (ERROR reply), each with the HAL reason it counts as. */
    public enum BridgeError {
        BAD_REQUEST(1, Reason.IO),
        UNKNOWN_REQUEST(2, Reason.UNSUPPORTED),
        NO_SESSION(3, Reason.ABSENT),
        VERSION(4, Reason.UNSUPPORTED),
        BAD_PIN(5, Reason.UNSUPPORTED),
        NOT_CONFIGURED(6, Reason.IO),
        NACK(7, Reason.NACK),
        BUS_TIMEOUT(8, Reason.TIMEOUT),
        IO(9, Reason.IO),
        LIMIT(10, Reason.UNSUPPORTED),
        INTERNAL(11, Reason.IO),
        /** A code this host does not know (a newer bridge). */
        UNKNOWN(0, Reason.IO);

        private final int code;
        private final Reason reason;

        BridgeError(int code, Reason reason) {
            this.code = code;
            this.reason = reason;
        }

        public int code() {
            return code;
        }

        public Reason reason() {
            return reason;
        }

        static BridgeError of(int code) {
            for (BridgeError e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            return UNKNOWN;
        }
    }

    private final BridgeError error;

    public Esp32BridgeException(BridgeError error, String message) {
        super(error.reason(), message);
        this.error = error;
    }

    public BridgeError error() {
        return error;
    }
}
