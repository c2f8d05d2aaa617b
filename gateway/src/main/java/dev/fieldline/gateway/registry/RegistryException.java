package dev.fieldline.gateway.registry;

import dev.fieldline.gateway.GatewayException;

/** The registry refused a request; {@link #reason()} says why (and is the API error code). */
public final class RegistryException extends GatewayException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    public enum Reason {
        /** No such enrollment token (or a wrong one). */
        INVALID_TOKEN("invalid_token"),
        /** The enrollment token was used already: tokens are one-time. */
        TOKEN_USED("token_used"),
        /** The enrollment token expired. */
        TOKEN_EXPIRED("token_expired"),
        /** The enrollment token is bound to another device. */
        TOKEN_DEVICE_MISMATCH("token_device_mismatch"),
        /** The device is enrolled already; re-key it to change its key. */
        ALREADY_ENROLLED("already_enrolled"),
        /** The public key is not an EC P-256 SubjectPublicKeyInfo. */
        BAD_KEY("bad_key"),
        /** The key is registered to another device. */
        KEY_IN_USE("key_in_use"),
        /** No such device (or API token) in the registry. */
        NOT_FOUND("not_found"),
        /** An argument is invalid (device id, name, time to live). */
        BAD_REQUEST("bad_request"),
        /** The database failed. */
        FAILED("registry_failed");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public RegistryException(Reason reason, String message) {
        super(reason.code(), message);
        this.reason = reason;
    }

    public RegistryException(Reason reason, String message, Throwable cause) {
        super(reason.code(), message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
