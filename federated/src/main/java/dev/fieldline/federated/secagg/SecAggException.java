package dev.fieldline.federated.secagg;

/**
 * Why a secure-aggregation step failed. The root of the package's errors; {@link #reason()} tells
 * what kind of failure it was, so a transport can count refusals by reason.
 */
public class SecAggException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** Bytes that are not a well-formed message ({@link SecAggFormatException}). */
        MALFORMED,
        /** A well-formed message that does not fit the session or phase (wrong session, sender, state, size). */
        PROTOCOL,
        /** Fewer clients than the threshold remain in a phase: the round is abandoned. */
        TOO_FEW_CLIENTS,
        /** Fewer shares than the threshold for a secret: it cannot be reconstructed, the round is abandoned. */
        TOO_FEW_SHARES,
        /** An honest client refuses a request that would reveal more than the protocol allows. */
        REFUSED,
        /** An encrypted share failed authentication, or a reconstructed key does not match its public key. */
        TAMPERED,
        /** A value does not fit the quantisation range or the modulus (examples too many, too many clients). */
        OVERFLOW,
        /** The JDK lacks an algorithm the protocol needs (X25519, AES-GCM, AES-CTR, HMAC-SHA256). */
        CRYPTO
    }

    private final Reason reason;

    public SecAggException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SecAggException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
