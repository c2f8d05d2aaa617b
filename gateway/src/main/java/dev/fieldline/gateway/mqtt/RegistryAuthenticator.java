package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.registry.DeviceAuth;
import dev.fieldline.gateway.registry.DeviceRegistry;
import java.util.Objects;
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
