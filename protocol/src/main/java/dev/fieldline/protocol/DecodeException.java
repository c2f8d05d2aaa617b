package dev.fieldline.protocol;

/** A payload was refused by a decoder; {@link #reason()} says why in a countable form. */
public final class DecodeException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final DecodeError reason;
    private final String detail;

    public DecodeException(DecodeError reason, String message) {
        super(reason.code() + ": " + message);
        this.reason = reason;
        this.detail = message;
    }

    public DecodeException(DecodeError reason, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
        this.detail = message;
    }

    /** What is wrong, without the reason code (for bodies that carry the code in a field of its own). */
    public String detail() {
        return detail;
    }

    public DecodeError reason() {
        return reason;
    }
}
