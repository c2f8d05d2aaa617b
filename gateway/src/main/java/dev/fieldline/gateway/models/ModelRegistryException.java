package dev.fieldline.gateway.models;

import dev.fieldline.gateway.GatewayException;
import java.util.Locale;

/** A model registry operation that failed; {@link #reason()} says why. */
public final class ModelRegistryException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** No such model or version. */
        NOT_FOUND,
        /** The model cannot be exported, loaded or self-tested on the micro interpreter. */
        INVALID_MODEL,
        /** A bad argument (name, version, metadata). */
        INVALID_ARGUMENT,
        /** The files or the database could not be written or read. */
        STORAGE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public ModelRegistryException(Reason reason, String message) {
        super(reason.code(), message);
        this.reason = reason;
    }

    public ModelRegistryException(Reason reason, String message, Throwable cause) {
        super(reason.code(), message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
