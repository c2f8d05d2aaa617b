package dev.fieldline.gateway;

/**
 * Root of every error the gateway raises. {@link #code()} is a stable, countable reason
 * (e.g. {@code port_in_use}, {@code store_overloaded}) for logs, metrics and API error bodies.
 */
public class GatewayException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String code;

    public GatewayException(String code, String message) {
        super(message);
        this.code = code;
    }

    public GatewayException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
