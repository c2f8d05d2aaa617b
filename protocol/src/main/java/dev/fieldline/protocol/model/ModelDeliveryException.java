package dev.fieldline.protocol.model;

import dev.fieldline.protocol.ProtocolException;
import java.util.Locale;

/**
 * Why a model release was refused or rolled back. The reason's {@link Reason#code()} travels in the
 * device's {@code model} event, so the gateway shows the same word the agent logged.
 */
public final class ModelDeliveryException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, one word each. */
    public enum Reason {
        /** The signed manifest is not a COSE_Sign1, or its payload is not a valid release manifest. */
        MALFORMED,
        /** The signature does not verify with the gateway key the device enrolled with. */
        BAD_SIGNATURE,
        /** Signed with another key than the enrolled gateway key (the kid differs). */
        WRONG_KEY,
        /** The model file is shorter or longer than the signed manifest says (a truncated download, say). */
        SIZE_MISMATCH,
        /** The model file's SHA-256 is not the signed manifest's. */
        HASH_MISMATCH,
        /** The offer (name, version, sha256, size) does not match the signed manifest. */
        OFFER_MISMATCH,
        /** The device has no gateway key to verify with (not enrolled with certificates). */
        NO_GATEWAY_KEY,
        /** The file or manifest could not be fetched. */
        DOWNLOAD_FAILED,
        /** The model does not load on the device's engine, or does not fit the model's slot. */
        INCOMPATIBLE,
        /** The model's outputs differ from the manifest's self-test vectors. */
        SELF_TEST_FAILED,
        /** The device could not store the model. */
        STORAGE;

        /** {@code bad_signature}, {@code self_test_failed}, ... */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public ModelDeliveryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ModelDeliveryException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
