package dev.fieldline.agent.hal.ble;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Which BLE device a sensor is: every criterion given must hold. The address is the exact choice;
 * a name prefix or service UUID picks the first matching device discovery finds.
 *
 * @param address device address {@code AA:BB:CC:DD:EE:FF} (upper case after normalising)
 * @param namePrefix prefix of the advertised name (case-sensitive, as BlueZ reports it)
 * @param serviceUuid a service the device advertises (in its UUIDs or its service data), BlueZ form
 * @param minRssi weakest signal accepted when choosing the device, dBm
 */
public record DeviceMatch(Optional<String> address, Optional<String> namePrefix, Optional<String> serviceUuid,
                          OptionalInt minRssi) {
    private static final Pattern ADDRESS = Pattern.compile("([0-9A-F]{2}:){5}[0-9A-F]{2}");

    public DeviceMatch {
        if (address == null || namePrefix == null || serviceUuid == null || minRssi == null) {
            throw new IllegalArgumentException("DeviceMatch fields must not be null (use Optional.empty())");
        }
        address = address.map(a -> normaliseAddress(a));
        serviceUuid = serviceUuid.map(BleUuid::parse);
        if (namePrefix.isPresent() && namePrefix.get().isEmpty()) {
            throw new IllegalArgumentException("namePrefix must not be empty");
        }
        if (minRssi.isPresent() && (minRssi.getAsInt() < -127 || minRssi.getAsInt() > 20)) {
            throw new IllegalArgumentException("minRssi must be in -127..20 dBm, was " + minRssi.getAsInt());
        }
        if (address.isEmpty() && namePrefix.isEmpty() && serviceUuid.isEmpty()) {
            throw new IllegalArgumentException("a BLE device needs an address, a name prefix or a service UUID to be found by");
        }
    }

    /** The device with this address. */
    public static DeviceMatch address(String address) {
        return new DeviceMatch(Optional.of(address), Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    /** The first device whose name starts with {@code prefix}. */
    public static DeviceMatch namePrefix(String prefix) {
        return new DeviceMatch(Optional.empty(), Optional.of(prefix), Optional.empty(), OptionalInt.empty());
    }

    /** The first device advertising {@code uuid}. */
    public static DeviceMatch service(String uuid) {
        return new DeviceMatch(Optional.empty(), Optional.empty(), Optional.of(uuid), OptionalInt.empty());
    }

    public DeviceMatch withMinRssi(int dBm) {
        return new DeviceMatch(address, namePrefix, serviceUuid, OptionalInt.of(dBm));
    }

    public DeviceMatch withServiceUuid(String uuid) {
        return new DeviceMatch(address, namePrefix, Optional.of(uuid), minRssi);
    }

    /** Whether {@code device} is this one (the RSSI threshold applies only when it has an RSSI). */
    public boolean matches(BleDevice device) {
        if (address.isPresent() && !address.get().equals(device.address())) {
            return false;
        }
        if (namePrefix.isPresent() && !device.name().map(n -> n.startsWith(namePrefix.get())).orElse(false)) {
            return false;
        }
        if (serviceUuid.isPresent() && !device.uuids().contains(serviceUuid.get())
                && !device.serviceData().containsKey(serviceUuid.get())) {
            return false;
        }
        return minRssi.isEmpty() || device.rssi().isEmpty() || device.rssi().getAsInt() >= minRssi.getAsInt();
    }

    /** {@code AA:BB:CC:DD:EE:FF} in upper case; {@code aa-bb-…} and lower case are accepted. */
    public static String normaliseAddress(String text) {
        String a = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', ':');
        if (!ADDRESS.matcher(a).matches()) {
            throw new IllegalArgumentException("not a Bluetooth device address (want AA:BB:CC:DD:EE:FF): '" + text + "'");
        }
        return a;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        address.ifPresent(a -> parts.add("address " + a));
        namePrefix.ifPresent(n -> parts.add("name '" + n + "*'"));
        serviceUuid.ifPresent(u -> parts.add("service " + u));
        minRssi.ifPresent(r -> parts.add("rssi >= " + r + " dBm"));
        return String.join(", ", parts);
    }
}
