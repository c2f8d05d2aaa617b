package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.uplink.ReconnectPolicy;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the agent reaches BlueZ.
 *
 * @param adapter the adapter's D-Bus name, {@code hci0} by default
 * @param busAddress a D-Bus address ({@code unix:path=/run/dbus/system_bus_socket}); empty for the
 *     system bus as {@code DBUS_SYSTEM_BUS_ADDRESS} or the default socket gives it
 * @param callTimeout longest wait for BlueZ to answer a method call (connecting has its own timeout
 *     per sensor), 10 s by default
 * @param discoveryRetry backoff for (re)starting discovery when BlueZ refuses or stops it
 */
public record BleCentralConfig(String adapter, Optional<String> busAddress, Duration callTimeout,
                               ReconnectPolicy discoveryRetry) {
    private static final Pattern ADAPTER = Pattern.compile("[A-Za-z0-9_]{1,32}");

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);
    public static final ReconnectPolicy DEFAULT_DISCOVERY_RETRY = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.2);

    public BleCentralConfig {
        if (adapter == null || !ADAPTER.matcher(adapter).matches()) {
            throw new IllegalArgumentException("adapter must be a BlueZ adapter name such as hci0, was '" + adapter + "'");
        }
        if (busAddress == null) {
            throw new IllegalArgumentException("busAddress must not be null (use Optional.empty() for the system bus)");
        }
        if (busAddress.isPresent() && !busAddress.get().contains(":")) {
            throw new IllegalArgumentException("busAddress must be a D-Bus address such as unix:path=/run/dbus/system_bus_socket, was '"
                    + busAddress.get() + "'");
        }
        if (callTimeout == null || callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive, was " + callTimeout);
        }
        if (discoveryRetry == null) {
            throw new IllegalArgumentException("discoveryRetry must not be null");
        }
    }

    /** {@code adapter} on the system bus, with the default timeouts. */
    public static BleCentralConfig of(String adapter) {
        return new BleCentralConfig(adapter, Optional.empty(), DEFAULT_CALL_TIMEOUT, DEFAULT_DISCOVERY_RETRY);
    }

    public BleCentralConfig withBusAddress(String address) {
        return new BleCentralConfig(adapter, Optional.of(address), callTimeout, discoveryRetry);
    }

    public BleCentralConfig withCallTimeout(Duration timeout) {
        return new BleCentralConfig(adapter, busAddress, timeout, discoveryRetry);
    }

    /** The adapter's object path, e.g. {@code /org/bluez/hci0}. */
    public String adapterPath() {
        return "/org/bluez/" + adapter;
    }
}
