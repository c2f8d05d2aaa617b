package dev.fieldline.gateway.store;

import dev.fieldline.gateway.GatewayException;

/** The store could not do what was asked; {@link #reason()} says why. */
public final class StoreException extends GatewayException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    public enum Reason {
        /** The write queue is full: the caller should retry later. */
        OVERLOADED("store_overloaded"),
        /** The store is closed or closing. */
        CLOSED("store_closed"),
        /** The database refused or failed (I/O, lock timeout, constraint). */
        FAILED("store_failed"),
        /** The database schema is newer than this gateway or a migration failed. */
        SCHEMA("store_schema"),
        /** What the write refers to does not exist (e.g. no alert with that id). */
        NOT_FOUND("not_found"),
        /** The write is not allowed in the current state (e.g. acknowledging a resolved alert). */
        CONFLICT("conflict");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    public StoreException(Reason reason, String message) {
        super(reason.code(), message);
        this.reason = reason;
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(reason.code(), message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
