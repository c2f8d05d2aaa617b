package dev.fieldline.gateway.mqtt;

import java.util.Optional;

/**
 * Decides whether an MQTT CONNECT may proceed, and for which device. Called on a Netty event loop:
 * implementations must not block (look up a cache, not a remote service).
 */
@FunctionalInterface
public interface MqttAuthenticator {

    /**
     * The device the connection acts for, or empty to refuse it (CONNACK "bad user name or
     * password"). The client id has already been checked to be a valid device id.
     */
    Optional<String> authenticate(String clientId, Optional<String> username, Optional<byte[]> password);

    /**
     * The decision with its reason, for the CONNACK code and the {@code mqtt_connect_refused_total}
     * reason. The default maps {@link #authenticate} to {@link Accept} or a {@code bad_credentials}
     * refusal.
     */
    default Decision decide(String clientId, Optional<String> username, Optional<byte[]> password) {
        return authenticate(clientId, username, password).<Decision>map(Accept::new)
                .orElseGet(() -> new Refuse("bad_credentials", false));
    }

    /**
     * The decision for a connection that presented a TLS client certificate (already verified
     * against the gateway CA by the TLS layer). The default ignores the certificate.
     */
    default Decision decide(String clientId, Optional<String> username, Optional<byte[]> password,
            Optional<java.security.cert.X509Certificate> clientCertificate) {
        return decide(clientId, username, password);
    }

    /** What {@link #decide} answers. */
    sealed interface Decision permits Accept, Refuse {
    }

    /** The connection acts for {@code deviceId}. */
    record Accept(String deviceId) implements Decision {
    }

    /**
     * Refused: {@code reason} is the counted code; {@code notAuthorized} chooses CONNACK "not
     * authorized" (3.1.1: 5, MQTT 5: 0x87) over "bad user name or password" (4, 0x86).
     */
    record Refuse(String reason, boolean notAuthorized) implements Decision {
    }

    /** Plain mode: every connection acts for the device named by its client id. */
    static MqttAuthenticator acceptAll() {
        return (clientId, username, password) -> Optional.of(clientId);
    }
}
