package dev.fieldline.protocol;

/** A payload was refused by a decoder; {@link #reason()} says why in a countable form. */
public final class DecodeException extends ProtocolException {
    private static final long serialVersionUID = 1L;
    private final DecodeError reason;

    public DecodeException(DecodeError reason, String message) {
        super(reason.code() + ": " + message);
        this.reason = reason;
    }

    public DecodeException(DecodeError reason, String message, Throwable cause) {
        super(reason.code() + ": " + message, cause);
        this.reason = reason;
    }

    public DecodeError reason() {
        return reason;
    }
}
