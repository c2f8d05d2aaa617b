package dev.fieldline.agent.hal.ble;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What BlueZ knows of one device ({@code org.bluez.Device1}) at a moment. Service and manufacturer
 * data are the payloads of the last advertisement (the UUID or company id is the key, not part of
 * the bytes); treat the arrays as read-only.
 *
 * @param path D-Bus object path, e.g. {@code /org/bluez/hci0/dev_AA_BB_CC_DD_EE_FF}
 * @param address {@code AA:BB:CC:DD:EE:FF}
 * @param name advertised name
 * @param rssi signal strength of the last advertisement, dBm (absent for devices not seen in this discovery)
 * @param uuids advertised or resolved service UUIDs, BlueZ form
 * @param serviceData service data by UUID
 * @param manufacturerData manufacturer data by company id
 * @param connected whether BlueZ holds a connection
 * @param servicesResolved whether GATT discovery has finished on the connection
 * @param lastSeen when an advertisement (or a connection) last showed the device is there;
 *     empty for a device BlueZ only remembers
 */
public record BleDevice(String path, String address, Optional<String> name, OptionalInt rssi, List<String> uuids,
                        Map<String, byte[]> serviceData, Map<Integer, byte[]> manufacturerData, boolean connected,
                        boolean servicesResolved, Optional<Instant> lastSeen) {
    public BleDevice {
        uuids = List.copyOf(uuids);
        serviceData = Map.copyOf(serviceData);
        manufacturerData = Map.copyOf(manufacturerData);
    }

    /** Whether the device has shown itself (advertised or connected) since discovery started. */
    public boolean present() {
        return connected || lastSeen.isPresent();
    }

    @Override
    public String toString() {
        return address + name.map(n -> " '" + n + "'").orElse("") + rssi.stream().mapToObj(r -> " " + r + " dBm").findFirst().orElse("")
                + (connected ? " connected" : "");
    }
}
