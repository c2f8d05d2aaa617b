package dev.fieldline.gateway;

/** A listener could not bind because its port is taken. Names the port and the option that changes it. */
public final class PortInUseException extends GatewayException {
    private static final long serialVersionUID = 1L;
    private final String protocol;
    private final String host;
    private final int port;

    public PortInUseException(String protocol, String host, int port, String option, Throwable cause) {
        super("port_in_use", protocol + " port " + port + " on " + host + " is in use; choose another with "
                + option + " (0 picks a free one, -1 disables the listener)", cause);
        this.protocol = protocol;
        this.host = host;
        this.port = port;
    }

    /** {@code HTTP}, {@code MQTT} or {@code CoAP}. */
    public String protocol() {
        return protocol;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }
}
