package dev.fieldline.gateway;

/** A component failed to start for a reason other than a taken port (bad data dir, unreachable broker, ...). */
public final class GatewayStartException extends GatewayException {
    private static final long serialVersionUID = 1L;

    public GatewayStartException(String component, String message, Throwable cause) {
        super("start_failed", component + " failed to start: " + message, cause);
    }
}
