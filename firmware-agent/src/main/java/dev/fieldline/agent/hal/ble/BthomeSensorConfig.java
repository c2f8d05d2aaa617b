package dev.fieldline.agent.hal.ble;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * An advertising-only sensor in the BTHome v2 format: the agent listens to its service data during
 * discovery and never connects.
 *
 * @param match which device (an address is the safe choice: names can repeat)
 * @param quantities what the driver yields, by BTHome name ({@code temperature}, {@code humidity},
 *     {@code battery}, {@code pressure}, …), in this order
 * @param staleAfter a value older than this is not served (the read fails with STALE); set it above
 *     the device's advertising interval
 * @param key the AES key of a device that encrypts; then unencrypted advertisements are refused
 */
public record BthomeSensorConfig(DeviceMatch match, List<String> quantities, Duration staleAfter, Optional<BthomeKey> key) {
    public static final Duration DEFAULT_STALE_AFTER = Duration.ofMinutes(5);

    public BthomeSensorConfig {
        if (match == null) {
            throw new IllegalArgumentException("match must not be null");
        }
        if (quantities == null || quantities.isEmpty()) {
            throw new IllegalArgumentException("quantities must name at least one of " + BthomeObjects.quantityNames());
        }
        quantities = List.copyOf(quantities);
        for (String q : quantities) {
            if (!BthomeObjects.quantityNames().contains(q)) {
                throw new IllegalArgumentException("unknown BTHome quantity '" + q + "'; known: " + BthomeObjects.quantityNames());
            }
        }
        if (quantities.stream().distinct().count() != quantities.size()) {
            throw new IllegalArgumentException("quantities must not repeat, were " + quantities);
        }
        requirePositive("staleAfter", staleAfter);
        if (key == null) {
            throw new IllegalArgumentException("key must not be null (use Optional.empty())");
        }
    }

    /** Temperature and humidity of {@code match}, unencrypted, stale after 5 minutes. */
    public static BthomeSensorConfig of(DeviceMatch match) {
        return new BthomeSensorConfig(match, List.of("temperature", "humidity"), DEFAULT_STALE_AFTER, Optional.empty());
    }

    public BthomeSensorConfig withQuantities(List<String> which) {
        return new BthomeSensorConfig(match, which, staleAfter, key);
    }

    public BthomeSensorConfig withStaleAfter(Duration d) {
        return new BthomeSensorConfig(match, quantities, d, key);
    }

    public BthomeSensorConfig withKey(BthomeKey k) {
        return new BthomeSensorConfig(match, quantities, staleAfter, Optional.of(k));
    }

    static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }
}
