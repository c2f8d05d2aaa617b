package dev.fieldline.agent.hal.ble;

import java.lang.reflect.Array;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;

/**
 * Conversions of BlueZ's D-Bus property values. dbus-java hands an {@code ay} to us as
 * {@code byte[]} in method replies but as a {@code List<Byte>} inside a signal's property map, and an
 * {@code as} as a list or an array: each accessor takes either.
 */
final class BluezValues {
    /** Device1 properties whose change means an advertisement (or a connection) was just seen. */
    static final Set<String> SIGHTINGS = Set.of("RSSI", "ServiceData", "ManufacturerData", "TxPower");

    private BluezValues() {
    }

    static Object unwrap(Object value) {
        return value instanceof Variant<?> v ? v.getValue() : value;
    }

    /** Bytes of an {@code ay}, or empty when the value is something else. */
    static Optional<byte[]> bytes(Object value) {
        Object v = unwrap(value);
        if (v instanceof byte[] b) {
            return Optional.of(b.clone());
        }
        if (v instanceof Collection<?> c) {
            byte[] out = new byte[c.size()];
            int i = 0;
            for (Object o : c) {
                if (!(o instanceof Number n)) {
                    return Optional.empty();
                }
                out[i++] = n.byteValue();
            }
            return Optional.of(out);
        }
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                if (!(Array.get(v, i) instanceof Number num)) {
                    return Optional.empty();
                }
                out[i] = num.byteValue();
            }
            return Optional.of(out);
        }
        return Optional.empty();
    }

    static List<String> strings(Object value) {
        Object v = unwrap(value);
        List<String> out = new ArrayList<>();
        if (v instanceof Collection<?> c) {
            c.forEach(o -> out.add(String.valueOf(o)));
        } else if (v instanceof Object[] a) {
            for (Object o : a) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    static Optional<String> string(Object value) {
        Object v = unwrap(value);
        return v == null ? Optional.empty() : Optional.of(String.valueOf(v));
    }

    static boolean bool(Object value) {
        return Boolean.TRUE.equals(unwrap(value));
    }

    /**
     * A device from its {@code org.bluez.Device1} properties: all of them (from GetManagedObjects or
     * InterfacesAdded, {@code before} empty) or a change (PropertiesChanged) applied to {@code before}.
     */
    static BleDevice device(String path, Optional<BleDevice> before, Map<String, Variant<?>> changed,
                            Collection<String> invalidated, Instant now) {
        String address = Optional.ofNullable(changed.get("Address")).flatMap(BluezValues::string)
                .map(DeviceMatch::normaliseAddress)
                .or(() -> before.map(BleDevice::address))
                .orElseGet(() -> addressFromPath(path));
        Optional<String> name = changed.containsKey("Name") ? string(changed.get("Name"))
                : invalidated.contains("Name") ? Optional.empty() : before.flatMap(BleDevice::name);
        OptionalInt rssi = changed.get("RSSI") != null && unwrap(changed.get("RSSI")) instanceof Number n ? OptionalInt.of(n.intValue())
                : invalidated.contains("RSSI") ? OptionalInt.empty() : before.map(BleDevice::rssi).orElse(OptionalInt.empty());
        List<String> uuids = changed.containsKey("UUIDs") ? strings(changed.get("UUIDs"))
                : before.map(BleDevice::uuids).orElse(List.of());
        Map<String, byte[]> serviceData = changed.containsKey("ServiceData") ? serviceData(changed.get("ServiceData"))
                : before.map(BleDevice::serviceData).orElse(Map.of());
        Map<Integer, byte[]> manufacturerData = changed.containsKey("ManufacturerData")
                ? manufacturerData(changed.get("ManufacturerData"))
                : before.map(BleDevice::manufacturerData).orElse(Map.of());
        boolean connected = changed.containsKey("Connected") ? bool(changed.get("Connected"))
                : before.map(BleDevice::connected).orElse(false);
        boolean resolved = changed.containsKey("ServicesResolved") ? bool(changed.get("ServicesResolved"))
                : before.map(BleDevice::servicesResolved).orElse(false);
        boolean sighting = changed.keySet().stream().anyMatch(SIGHTINGS::contains) || (connected && changed.containsKey("Connected"));
        Optional<Instant> lastSeen = sighting ? Optional.of(now) : before.flatMap(BleDevice::lastSeen);
        return new BleDevice(path, address, name, rssi, uuids, serviceData, manufacturerData, connected, resolved, lastSeen);
    }

    private static Map<String, byte[]> serviceData(Object value) {
        Map<String, byte[]> out = new HashMap<>();
        if (unwrap(value) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> bytes(v).ifPresent(b -> out.put(String.valueOf(k).toLowerCase(java.util.Locale.ROOT), b)));
        }
        return out;
    }

    private static Map<Integer, byte[]> manufacturerData(Object value) {
        Map<Integer, byte[]> out = new HashMap<>();
        if (unwrap(value) instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                Integer id = k instanceof UInt16 u ? Integer.valueOf(u.intValue()) : k instanceof Number n ? Integer.valueOf(n.intValue()) : null;
                if (id != null) {
                    bytes(v).ifPresent(b -> out.put(id, b));
                }
            });
        }
        return out;
    }

    /** {@code /org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF} gives {@code AA:BB:CC:DD:EE:FF}. */
    static String addressFromPath(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.startsWith("dev_") ? last.substring(4).replace('_', ':') : last;
    }
}
