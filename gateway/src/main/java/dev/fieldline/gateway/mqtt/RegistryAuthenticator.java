package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.registry.DeviceAuth;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.gateway.registry.DeviceKey;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import java.util.Optional;

/**
 * MQTT CONNECT decisions backed by the {@link DeviceRegistry} cache (never SQLite, so safe on the
 * event loop).
 *
 * <p>Secure mode: the client id is the device id, the user name must equal it and the password is
 * the device token from enrollment; the device must be enabled. Refusal reasons (counted in
 * {@code mqtt_connect_refused_total}): {@code bad_credentials}, {@code unknown_device} and
 * {@code not_enrolled} answer "bad user name or password" (3.1.1: 4, MQTT 5: 0x86), so a client
 * cannot tell an unknown device from a wrong token; {@code disabled} answers "not authorized" (5, 0x87).
 *
 * <p>Plain mode: every client acts for the device its client id names, except a disabled device.
 */
public final class RegistryAuthenticator implements MqttAuthenticator {
    private final DeviceRegistry registry;
    private final boolean secure;

    public RegistryAuthenticator(DeviceRegistry registry, boolean secure) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.secure = secure;
    }

    @Override
    public Optional<String> authenticate(String clientId, Optional<String> username, Optional<byte[]> password) {
        return decide(clientId, username, password) instanceof Accept a ? Optional.of(a.deviceId()) : Optional.empty();
    }

    /**
     * With a TLS client certificate (issued by the gateway CA, checked by the TLS layer): its CN must
     * be the client id ({@code certificate_mismatch}, "not authorized") and its key the device's
     * currently enrolled key ({@code certificate_revoked} after a re-key); the device must be enabled.
     * No password is needed then. Without a certificate: {@link #decide(String, Optional, Optional)}.
     */
    @Override
    public Decision decide(String clientId, Optional<String> username, Optional<byte[]> password,
            Optional<X509Certificate> clientCertificate) {
        if (clientCertificate.isEmpty()) {
            return decide(clientId, username, password);
        }
        X509Certificate cert = clientCertificate.get();
        if (!clientId.equals(commonName(cert))) {
            return new Refuse("certificate_mismatch", true);
        }
        Optional<DeviceKey> device = registry.device(clientId);
        if (device.isPresent() && !device.get().enabled()) {
            return new Refuse(DeviceAuth.DISABLED.code(), true);
        }
        boolean current = device.flatMap(DeviceKey::publicKey)
                .map(k -> MessageDigest.isEqual(k.getEncoded(), cert.getPublicKey().getEncoded())).orElse(false);
        return current ? new Accept(clientId) : new Refuse("certificate_revoked", true);
    }

    private static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    @Override
    public Decision decide(String clientId, Optional<String> username, Optional<byte[]> password) {
        if (!secure) {
            return registry.isDisabled(clientId) ? new Refuse(DeviceAuth.DISABLED.code(), true) : new Accept(clientId);
        }
        DeviceAuth auth = registry.authenticate(clientId, password.orElse(null));
        if (auth == DeviceAuth.OK && !username.map(clientId::equals).orElse(false)) {
            return new Refuse("username_mismatch", false);
        }
        return switch (auth) {
            case OK -> new Accept(clientId);
            case DISABLED -> new Refuse(auth.code(), true);
            case UNKNOWN_DEVICE, NOT_ENROLLED, BAD_TOKEN -> new Refuse(auth.code(), false);
        };
    }
}
