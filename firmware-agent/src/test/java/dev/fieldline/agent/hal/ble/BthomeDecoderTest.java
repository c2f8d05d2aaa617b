package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.ble.BthomeException.Problem;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** BTHome v2 decoding against the worked examples of bthome.io (format and encryption pages). */
class BthomeDecoderTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    @Test
    void theFormatPagesExampleIsTwentyFiveDegreesAndFiftyPointFiveFivePercent() {
        // 0A16D2FC4002C40903BF13: service data after the UUID D2FC
        BthomePacket p = BthomeDecoder.decode(hex("40 02C409 03BF13"));

        assertThat(p.encrypted()).isFalse();
        assertThat(p.triggerBased()).isFalse();
        assertThat(p.packetId()).isEmpty();
        assertThat(p.measurements()).containsExactly(
                new BthomeMeasurement(0x02, "temperature", 2500, 25.0, "Cel"),
                new BthomeMeasurement(0x03, "humidity", 5055, 50.55, "%RH"));
    }

    /** One row per example of the spec's sensor table that this receiver interprets. */
    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @CsvSource({
        "0161, battery, 97, %EL",
        "02CA09, temperature, 25.06, Cel",
        "03BF13, humidity, 50.55, %RH",
        "04138A01, pressure, 100883, Pa",
        "05138A14, illuminance, 13460.67, lx",
        "08CA06, dewpoint, 17.38, Cel",
        "0C020C, voltage, 3.074, V",
        "12E204, co2, 1250, ppm",
        "14020C, moisture, 30.74, %",
        "2E23, humidity, 35, %RH",
        "2F23, moisture, 35, %",
        "451101, temperature, 27.3, Cel",
        "4A020C, voltage, 307.4, V",
        "57EA, temperature, -22, Cel",
        "58EA, temperature, -7.7, Cel",
    })
    void specTableExamples(String object, String name, double value, String unit) {
        BthomePacket p = BthomeDecoder.decode(hex("40" + object));

        assertThat(p.measurements()).hasSize(1);
        BthomeMeasurement m = p.measurements().get(0);
        assertThat(m.name()).isEqualTo(name);
        assertThat(m.value()).isCloseTo(value, within(1e-9));
        assertThat(m.unit()).isEqualTo(unit);
        assertThat(p.unknownObjectId()).isEmpty();
    }

    @Test
    void packetIdBatteryTemperatureHumidityVoltageFromAShellyStyleAdvert() {
        // the breakdown in bthome-ble issue 118: 40 003f 015e 028208 03ac17 0c830b
        BthomePacket p = BthomeDecoder.decode(hex("40 003f 015e 028208 03ac17 0c830b"));

        assertThat(p.packetId()).isEqualTo(OptionalInt.of(63));
        assertThat(p.first("battery").orElseThrow().value()).isEqualTo(94);
        assertThat(p.first("temperature").orElseThrow().value()).isEqualTo(21.78);
        assertThat(p.first("humidity").orElseThrow().value()).isEqualTo(60.60);
        assertThat(p.first("voltage").orElseThrow().value()).isEqualTo(2.947);
    }

    @Test
    void objectsOfKnownLengthAreSkippedAndKeptInOrder() {
        // button press, device type id, firmware version, text "Hello World!", then a temperature
        BthomePacket p = BthomeDecoder.decode(hex("44 3A01 F00100 F2000106 530C48656C6C6F20576F726C6421 02CA09"));

        assertThat(p.triggerBased()).isTrue();
        assertThat(p.skippedObjectIds()).containsExactly(0x3A, 0xF0, 0xF2, 0x53);
        assertThat(p.measurements()).extracting(BthomeMeasurement::value).containsExactly(25.06);
    }

    @Test
    void decodingStopsAtAnUnknownObjectIdKeepingWhatCameBefore() {
        BthomePacket p = BthomeDecoder.decode(hex("40 02C409 3001 03BF13"));

        assertThat(p.measurements()).extracting(BthomeMeasurement::name).containsExactly("temperature");
        assertThat(p.unknownObjectId()).isEqualTo(OptionalInt.of(0x30));
    }

    @Test
    void theEncryptionPagesExampleDecrypts() {
        BthomeKey key = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");

        BthomePacket p = BthomeDecoder.decode(hex("41 e445f3c9962b 33221100 6c7c4519"), key, "54:48:E6:8F:80:A5");

        assertThat(p.encrypted()).isTrue();
        assertThat(p.counter()).hasValue(1122867);
        assertThat(p.measurements()).extracting(BthomeMeasurement::value).containsExactly(25.06, 50.55);
    }

    @Test
    void theEncoderReproducesTheEncryptionPagesBytes() {
        BthomeKey key = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");

        byte[] sealed = BthomeEncoder.v2().raw("02ca09 03bf13".replace(" ", "")).encrypted(key, "54:48:E6:8F:80:A5", 1122867);

        assertThat(HexFormat.of().formatHex(sealed)).isEqualTo("41e445f3c9962b332211006c7c4519");
    }

    @Test
    void aWrongKeyAnAlteredByteOrAnotherAddressFailTheMic() {
        byte[] data = hex("41 e445f3c9962b 33221100 6c7c4519");
        BthomeKey key = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");
        BthomeKey wrong = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db933");
        byte[] altered = data.clone();
        altered[2] ^= 1;

        assertRefused(() -> BthomeDecoder.decode(data, wrong, "54:48:E6:8F:80:A5"), Problem.AUTHENTICATION_FAILED);
        assertRefused(() -> BthomeDecoder.decode(altered, key, "54:48:E6:8F:80:A5"), Problem.AUTHENTICATION_FAILED);
        assertRefused(() -> BthomeDecoder.decode(data, key, "54:48:E6:8F:80:A6"), Problem.AUTHENTICATION_FAILED);
    }

    @Test
    void encryptedWithoutAKeyAndPlainWithAKeyAreRefused() {
        BthomeKey key = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");

        assertRefused(() -> BthomeDecoder.decode(hex("41 e445f3c9962b 33221100 6c7c4519")), Problem.ENCRYPTED);
        assertRefused(() -> BthomeDecoder.decode(hex("40 02CA09"), key, "54:48:E6:8F:80:A5"), Problem.NOT_ENCRYPTED);
    }

    @Test
    void malformedInputGetsATypedRefusalWithItsHalReason() {
        assertRefused(() -> BthomeDecoder.decode(new byte[0]), Problem.TRUNCATED);
        assertRefused(() -> BthomeDecoder.decode(hex("40 02C4")), Problem.TRUNCATED);
        assertRefused(() -> BthomeDecoder.decode(hex("40 53")), Problem.TRUNCATED);
        assertRefused(() -> BthomeDecoder.decode(hex("40 530548")), Problem.TRUNCATED);
        assertRefused(() -> BthomeDecoder.decode(new byte[253]), Problem.TOO_LONG);
        assertRefused(() -> BthomeDecoder.decode(hex("20 02CA09")), Problem.UNSUPPORTED_VERSION);
        assertRefused(() -> BthomeDecoder.decode(hex("41 01020304050607"), BthomeKey.ofHex("00".repeat(16)),
                "54:48:E6:8F:80:A5"), Problem.TRUNCATED);

        assertThatThrownBy(() -> BthomeDecoder.decode(hex("20 02CA09")))
                .isInstanceOf(HalException.class)
                .extracting(e -> ((HalException) e).reason()).isEqualTo(HalException.Reason.UNSUPPORTED);
        assertThatThrownBy(() -> BthomeDecoder.decode(hex("40 02C4")))
                .extracting(e -> ((HalException) e).reason()).isEqualTo(HalException.Reason.GARBAGE);
    }

    @Test
    void theLongestAdvertisementStillDecodesAndOneByteMoreIsRefused() {
        byte[] data = new byte[BthomeDecoder.MAX_SERVICE_DATA];
        data[0] = 0x40;
        for (int i = 1; i + 1 < data.length; i += 2) {
            data[i] = 0x01; // battery, 50 %
            data[i + 1] = 50;
        }
        data[data.length - 1] = 0x09; // a count object without its byte

        assertRefused(() -> BthomeDecoder.decode(data), Problem.TRUNCATED);
        data[data.length - 1] = 0x30; // an object id this receiver does not know: decoding stops there
        assertThat(BthomeDecoder.decode(data).measurements()).hasSize(125);
        assertRefused(() -> BthomeDecoder.decode(java.util.Arrays.copyOf(data, data.length + 1)), Problem.TOO_LONG);
    }

    @Test
    void theKeyNeverShowsInText() {
        assertThat(BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932").toString()).doesNotContain("231d");
        assertThatThrownBy(() -> BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db9zz"))
                .hasMessageNotContaining("231d");
    }

    @Test
    void quantityNamesAreTheInterpretedOnes() {
        assertThat(BthomeObjects.quantityNames()).contains("temperature", "humidity", "battery", "pressure")
                .doesNotContain("packet_id");
        assertThat(List.copyOf(BthomeObjects.quantityNames())).doesNotContainNull();
    }

    private static void assertRefused(Runnable decode, Problem problem) {
        assertThatThrownBy(decode::run).isInstanceOf(BthomeException.class)
                .satisfies(e -> assertThat(((BthomeException) e).problem()).isEqualTo(problem));
    }
}
