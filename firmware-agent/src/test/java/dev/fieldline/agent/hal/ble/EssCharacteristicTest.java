package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.hal.HalException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Environmental Sensing characteristic formats (GATT Specification Supplement), little-endian. */
class EssCharacteristicTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void temperatureIsSignedHundredthsOfADegree() {
        assertThat(EssCharacteristic.TEMPERATURE.decode(hex("c409"))).isEqualTo(25.0);
        assertThat(EssCharacteristic.TEMPERATURE.decode(hex("2bfe"))).isEqualTo(-4.69);
        assertThat(EssCharacteristic.TEMPERATURE.uuid()).isEqualTo("00002a6e-0000-1000-8000-00805f9b34fb");
    }

    @Test
    void humidityIsUnsignedHundredthsOfAPercent() {
        assertThat(EssCharacteristic.HUMIDITY.decode(hex("bf13"))).isEqualTo(50.55);
        assertThat(EssCharacteristic.HUMIDITY.decode(hex("1027"))).isEqualTo(100.0);
    }

    @Test
    void pressureIsTenthsOfAPascal() {
        // 1013.25 hPa = 101325.0 Pa = 1013250 × 0.1 Pa
        assertThat(EssCharacteristic.PRESSURE.decode(hex("02760f00"))).isEqualTo(101325.0);
    }

    @Test
    void unknownValuesWrongLengthsAndImpossibleHumidityAreGarbage() {
        assertGarbage(() -> EssCharacteristic.TEMPERATURE.decode(hex("0080")), "not known");
        assertGarbage(() -> EssCharacteristic.HUMIDITY.decode(hex("ffff")), "not known");
        assertGarbage(() -> EssCharacteristic.HUMIDITY.decode(hex("1127")), "above 100");
        assertGarbage(() -> EssCharacteristic.TEMPERATURE.decode(hex("c40900")), "2 bytes, had 3");
        assertGarbage(() -> EssCharacteristic.PRESSURE.decode(new byte[0]), "4 bytes, had 0");
    }

    private static void assertGarbage(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOf(HalException.class).hasMessageContaining(message)
                .extracting(e -> ((HalException) e).reason()).isEqualTo(HalException.Reason.GARBAGE);
    }
}
