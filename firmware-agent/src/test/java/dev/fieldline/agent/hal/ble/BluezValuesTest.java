package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.freedesktop.dbus.types.UInt16;
import org.freedesktop.dbus.types.Variant;
import org.junit.jupiter.api.Test;

/** BlueZ's property values as dbus-java hands them over, and device matching. */
class BluezValuesTest {
    private static final String PATH = "/org/bluez/hci0/dev_54_48_E6_8F_80_A5";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void bytesComeAsAnArrayInRepliesAndAsAListOfBytesInSignals() {
        assertThat(BluezValues.bytes(new Variant<>(new byte[] {1, 2}))).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2));
        assertThat(BluezValues.bytes(new ArrayList<>(List.of((byte) 3, (byte) -1)))).hasValueSatisfying(b -> assertThat(b).containsExactly(3, -1));
        assertThat(BluezValues.bytes(new Byte[] {4})).hasValueSatisfying(b -> assertThat(b).containsExactly(4));
        assertThat(BluezValues.bytes("text")).isEmpty();
        assertThat(BluezValues.bytes(List.of("x"))).isEmpty();
    }

    @Test
    void aChangeIsAppliedToWhatWasKnownAndMarksASighting() {
        BleDevice known = BluezValues.device(PATH, Optional.empty(), Map.of(
                "Address", new Variant<>("54:48:e6:8f:80:a5"),
                "Name", new Variant<>("SBHT-003C"),
                "UUIDs", new Variant<>(new String[] {BleUuid.BTHOME})), List.of(), T0);
        assertThat(known.address()).isEqualTo("54:48:E6:8F:80:A5");
        assertThat(known.rssi()).isEmpty();
        assertThat(known.present()).as("remembered, not seen").isFalse();

        Map<UInt16, Variant<?>> mfr = Map.of(new UInt16(0x0499), new Variant<>(new byte[] {9}));
        BleDevice seen = BluezValues.device(PATH, Optional.of(known), Map.of(
                "RSSI", new Variant<>((short) -70),
                "ServiceData", new Variant<>(Map.of("0000FCD2-0000-1000-8000-00805F9B34FB", new Variant<>(new ArrayList<>(List.of((byte) 0x40)), "ay")), "a{sv}"),
                "ManufacturerData", new Variant<>(mfr, "a{qv}")), List.of(), T0.plusSeconds(1));
        assertThat(seen.name()).hasValue("SBHT-003C");
        assertThat(seen.rssi()).hasValue(-70);
        assertThat(seen.serviceData().get(BleUuid.BTHOME)).containsExactly(0x40);
        assertThat(seen.manufacturerData().get(0x0499)).containsExactly(9);
        assertThat(seen.lastSeen()).hasValue(T0.plusSeconds(1));
        assertThat(seen.present()).isTrue();

        BleDevice quiet = BluezValues.device(PATH, Optional.of(seen), Map.of(), List.of("RSSI"), T0.plusSeconds(2));
        assertThat(quiet.rssi()).isEmpty();
        assertThat(quiet.lastSeen()).hasValue(T0.plusSeconds(1));
    }

    @Test
    void theAddressComesFromThePathWhenBlueZDidNotSendIt() {
        assertThat(BluezValues.device(PATH, Optional.empty(), Map.of(), List.of(), T0).address()).isEqualTo("54:48:E6:8F:80:A5");
    }

    @Test
    void aDeviceMatchNeedsACriterionAndNormalisesWhatItIsGiven() {
        BleDevice d = BluezValues.device(PATH, Optional.empty(), Map.of("Name", new Variant<>("SBHT-003C"),
                "RSSI", new Variant<>((short) -80), "UUIDs", new Variant<>(new String[] {BleUuid.ENVIRONMENTAL_SENSING})),
                List.of(), T0);

        assertThat(DeviceMatch.address("54-48-e6-8f-80-a5").matches(d)).isTrue();
        assertThat(DeviceMatch.namePrefix("SBHT").matches(d)).isTrue();
        assertThat(DeviceMatch.namePrefix("sbht").matches(d)).isFalse();
        assertThat(DeviceMatch.service("0x181A").matches(d)).isTrue();
        assertThat(DeviceMatch.service("181A").withMinRssi(-79).matches(d)).isFalse();
        assertThat(DeviceMatch.service("fcd2").matches(d)).isFalse();
        assertThat(DeviceMatch.namePrefix("SBHT").withMinRssi(-90)).hasToString("name 'SBHT*', rssi >= -90 dBm");

        assertThatThrownBy(() -> new DeviceMatch(Optional.empty(), Optional.empty(), Optional.empty(), java.util.OptionalInt.of(-50)))
                .hasMessageContaining("needs an address, a name prefix or a service UUID");
        assertThatThrownBy(() -> DeviceMatch.address("54:48:E6:8F:80")).hasMessageContaining("AA:BB:CC:DD:EE:FF");
        assertThatThrownBy(() -> DeviceMatch.service("18")).hasMessageContaining("not a Bluetooth UUID");
    }
}
