package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/** One test per way a SenML payload is refused, with the reason code a transport would report. */
class SenmlStrictnessTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final SenmlCodec codec = new SenmlCodec(DecodeLimits.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

    private Throwable json(String pack) {
        return catchThrowable(() -> codec.decode(pack.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private Throwable cbor(String hex) {
        return cbor(Hex.bytes(hex));
    }

    private Throwable cbor(byte[] pack) {
        return catchThrowable(() -> codec.decode(pack, PayloadFormat.CBOR));
    }

    static AbstractThrowableAssert<?, ? extends Throwable> reason(Throwable thrown, DecodeError reason) {
        return assertThat(thrown).isInstanceOf(DecodeException.class)
                .satisfies(e -> assertThat(((DecodeException) e).reason()).as(e.getMessage()).isEqualTo(reason));
    }

    @Test
    void payloadLargerThanTheLimitIsTooLargeBeforeParsing() {
        SenmlCodec small = new SenmlCodec(DecodeLimits.DEFAULT.withMaxPayloadBytes(32), Clock.systemUTC());
        byte[] ok = "[{\"n\":\"a\",\"v\":1}]".getBytes(UTF_8);
        byte[] garbage33 = new byte[33];
        Arrays.fill(garbage33, (byte) 'x');

        assertThat(small.decode(ok, PayloadFormat.JSON).readings()).hasSize(1);
        assertThatThrownBy(() -> small.decode(garbage33, PayloadFormat.JSON))
                .isInstanceOfSatisfying(DecodeException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DecodeError.TOO_LARGE);
                    assertThat(e.reason().code()).isEqualTo("too_large");
                    assertThat(e).hasMessageContaining("33 bytes");
                });
        reason(catchThrowable(() -> codec.decode(new byte[64 * 1024 + 1], PayloadFormat.CBOR)), DecodeError.TOO_LARGE);
    }

    @Test
    void emptyPayloadIsMalformed() {
        reason(json(""), DecodeError.MALFORMED);
        reason(cbor(new byte[0]), DecodeError.MALFORMED);
    }

    @Test
    void topLevelThatIsNotAnArrayIsMalformed() {
        reason(json("{\"n\":\"a\",\"v\":1}"), DecodeError.MALFORMED);
        reason(json("42"), DecodeError.MALFORMED);
        reason(json("[1,2]"), DecodeError.MALFORMED).hasMessageContaining("record 0 is not a map");
        reason(cbor("a2 00 61 61 02 01"), DecodeError.MALFORMED); // {0:"a", 2:1}
    }

    @Test
    void emptyPackHasNoRecords() {
        reason(json("[]"), DecodeError.MISSING_FIELD);
        reason(cbor("80"), DecodeError.MISSING_FIELD);
    }

    @Test
    void truncatedCborIsMalformed() {
        byte[] whole = Hex.bytes(RfcVectorsTest.MULTIPLE_DATAPOINTS_CBOR);
        for (int length : new int[] {1, 2, 5, 40, 100, whole.length - 1}) {
            reason(cbor(Arrays.copyOf(whole, length)), DecodeError.MALFORMED);
        }
    }

    @Test
    void bytesAfterThePackAreMalformed() {
        byte[] whole = Hex.bytes(RfcVectorsTest.MULTIPLE_DATAPOINTS_CBOR);
        byte[] trailing = Arrays.copyOf(whole, whole.length + 1);

        reason(cbor(trailing), DecodeError.MALFORMED).hasMessageContaining("trailing");
        reason(json("[{\"n\":\"a\",\"v\":1}] [{\"n\":\"a\",\"v\":1}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"v\":1}]x"), DecodeError.MALFORMED);
    }

    @Test
    void invalidJsonIsMalformed() {
        reason(json("[{\"n\":\"a\",\"v\":1}"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"v\":1,}]"), DecodeError.MALFORMED);
        reason(json("[{'n':'a','v':1}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"v\":01}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\" /* c */,\"v\":1}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"v\":NaN}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"n\":\"b\",\"v\":1}]"), DecodeError.MALFORMED).hasMessageContaining("uplicate");
    }

    @Test
    void knownLabelWithTheWrongTypeIsWrongType() {
        reason(json("[{\"n\":\"a\",\"v\":\"abc\"}]"), DecodeError.WRONG_TYPE).hasMessageContaining("record 0 v");
        reason(json("[{\"n\":5,\"v\":1}]"), DecodeError.WRONG_TYPE).hasMessageContaining("record 0 n");
        reason(json("[{\"n\":\"a\",\"vb\":1}]"), DecodeError.WRONG_TYPE).hasMessageContaining("record 0 vb");
        reason(json("[{\"n\":\"a\",\"v\":null}]"), DecodeError.WRONG_TYPE);
        reason(json("[{\"n\":\"a\",\"bver\":10.5,\"v\":1}]"), DecodeError.WRONG_TYPE);
        reason(json("[{\"n\":\"a\",\"vd\":\"not+base64/url\"}]"), DecodeError.WRONG_TYPE);
        reason(cbor("81 a2 00 61 61 08 61 41"), DecodeError.WRONG_TYPE); // vd as text in CBOR
    }

    @Test
    void notANumberOrInfinityIsAnInvalidValue() {
        reason(cbor("81 a2 00 61 61 02 fb 7ff8000000000000"), DecodeError.INVALID_VALUE); // v: NaN
        reason(cbor("81 a2 00 61 61 02 fb 7ff0000000000000"), DecodeError.INVALID_VALUE); // v: +Infinity
        reason(cbor("81 a2 00 61 61 02 f9 fc00"), DecodeError.INVALID_VALUE); // v: -Infinity as half float
        reason(cbor("81 a2 00 61 61 06 fa 7fc00000"), DecodeError.INVALID_VALUE); // t: NaN as single float
        reason(json("[{\"n\":\"a\",\"v\":1e999}]"), DecodeError.INVALID_VALUE);
        // finite values whose resolved sum (bv + v) overflows
        reason(json("[{\"n\":\"a\",\"bv\":1.7e308,\"v\":1.7e308}]"), DecodeError.INVALID_VALUE);
    }

    @Test
    void unitOutsideTheRegistryIsInvalidUnit() {
        reason(json("[{\"n\":\"a\",\"u\":\"degC\",\"v\":1}]"), DecodeError.INVALID_UNIT).hasMessageContaining("degC");
        reason(json("[{\"bu\":\"cel\"},{\"n\":\"a\",\"v\":1}]"), DecodeError.INVALID_UNIT);
        assertThat(codec.decode("[{\"n\":\"a\",\"u\":\"Cel\",\"v\":1}]".getBytes(UTF_8), PayloadFormat.JSON).readings())
                .singleElement().extracting(Reading::unit).isEqualTo("Cel");
    }

    @Test
    void namesWithBadCharactersOrTooLongAreInvalidNames() {
        reason(json("[{\"n\":\"room temp\",\"v\":1}]"), DecodeError.INVALID_NAME);
        reason(json("[{\"n\":\"-temp\",\"v\":1}]"), DecodeError.INVALID_NAME);
        reason(json("[{\"bn\":\"_x:\",\"n\":\"temp\",\"v\":1}]"), DecodeError.INVALID_NAME);
        reason(json("[{\"n\":\"temp\\u0000\",\"v\":1}]"), DecodeError.INVALID_NAME);
        reason(json("[{\"n\":\"" + "a".repeat(129) + "\",\"v\":1}]"), DecodeError.INVALID_NAME);
        // each part is short, the resolved name is not
        reason(json("[{\"bn\":\"" + "b".repeat(100) + "\",\"n\":\"" + "n".repeat(29) + "\",\"v\":1}]"),
                DecodeError.INVALID_NAME);
        assertThat(codec.decode(("[{\"n\":\"" + "a".repeat(128) + "\",\"v\":1}]").getBytes(UTF_8), PayloadFormat.JSON)
                .readings()).hasSize(1);
    }

    @Test
    void recordWithoutAnyNameIsMissingField() {
        reason(json("[{\"v\":1}]"), DecodeError.MISSING_FIELD);
    }

    @Test
    void unknownMustUnderstandLabelIsRefused() {
        reason(json("[{\"n\":\"a\",\"v\":1,\"foo_\":1}]"), DecodeError.UNKNOWN_MUST_UNDERSTAND).hasMessageContaining("foo_");
        reason(cbor("81 a3 00 61 61 02 01 64 666f6f5f 01"), DecodeError.UNKNOWN_MUST_UNDERSTAND);
    }

    @Test
    void unknownExtensionLabelsAreIgnoredWhateverTheirShape() {
        String pack = """
                [{"n":"a","v":1,"foo":{"x":[1,2,{"y":null}]},"bar":"baz","ut":60,"fl_other":true}]""";

        assertThat(codec.decode(pack.getBytes(UTF_8), PayloadFormat.JSON).readings())
                .containsExactly(Reading.of("a", "", 1, NOW));
        // CBOR: unknown integer label 99 and text label "x"
        assertThat(codec.decode(Hex.bytes("81 a4 00 61 61 02 01 18 63 82 01 02 61 78 f6"), PayloadFormat.CBOR).readings())
                .containsExactly(Reading.of("a", "", 1, NOW));
    }

    @Test
    void newerVersionIsUnsupported() {
        reason(json("[{\"bver\":11,\"n\":\"a\",\"v\":1}]"), DecodeError.UNSUPPORTED_VERSION);
        reason(cbor("81 a3 20 0b 00 61 61 02 01"), DecodeError.UNSUPPORTED_VERSION);
        assertThat(codec.decode("[{\"bver\":10,\"n\":\"a\",\"v\":1}]".getBytes(UTF_8), PayloadFormat.JSON).readings())
                .hasSize(1);
    }

    @Test
    void recordWithoutValueOrWithTwoValuesIsInvalid() {
        reason(json("[{\"n\":\"a\",\"u\":\"Cel\"}]"), DecodeError.INVALID_RECORD).hasMessageContaining("neither");
        reason(json("[{\"n\":\"a\",\"v\":1,\"vs\":\"x\"}]"), DecodeError.INVALID_RECORD).hasMessageContaining("more than one");
        reason(json("[{\"n\":\"a\",\"vb\":true,\"vd\":\"AA\"}]"), DecodeError.INVALID_RECORD);
    }

    @Test
    void packWithOnlyBaseRecordsHasNoReading() {
        reason(json("[{\"bn\":\"a:\",\"bt\":1.7e9}]"), DecodeError.MISSING_FIELD);
    }

    @Test
    void moreRecordsThanTheLimitIsLimitExceeded() {
        String record = "{\"n\":\"a\",\"v\":1}";
        String atLimit = "[" + String.join(",", java.util.Collections.nCopies(1000, record)) + "]";
        String overLimit = "[" + String.join(",", java.util.Collections.nCopies(1001, record)) + "]";

        assertThat(codec.decode(atLimit.getBytes(UTF_8), PayloadFormat.JSON).readings()).hasSize(1000);
        reason(json(overLimit), DecodeError.LIMIT_EXCEEDED).hasMessageContaining("1000");
    }

    @Test
    void deeplyNestedUnknownFieldIsLimitExceeded() {
        String bomb = "[".repeat(10_000) + "]".repeat(10_000);
        reason(json("[{\"n\":\"a\",\"v\":1,\"x\":" + bomb + "}]"), DecodeError.LIMIT_EXCEEDED);

        byte[] cborBomb = new byte[7 + 10_000];
        System.arraycopy(Hex.bytes("81 a3 00 61 61 02 01 61 78"), 0, cborBomb, 0, 9);
        Arrays.fill(cborBomb, 9, cborBomb.length, (byte) 0x81); // [[[[...
        reason(cbor(cborBomb), DecodeError.LIMIT_EXCEEDED);
    }

    @Test
    void stringAndDataLongerThanTheLimitsAreLimitExceeded() {
        reason(json("[{\"n\":\"a\",\"vs\":\"" + "x".repeat(4097) + "\"}]"), DecodeError.LIMIT_EXCEEDED);
        byte[] data = new byte[4097];
        String b64 = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(data);
        reason(json("[{\"n\":\"a\",\"vd\":\"" + b64 + "\"}]"), DecodeError.LIMIT_EXCEEDED);
        reason(json("[{\"n\":\"a\",\"u\":\"" + "m".repeat(33) + "\",\"v\":1}]"), DecodeError.LIMIT_EXCEEDED);
    }

    @Test
    void cborLengthClaimingMoreThanThePayloadIsMalformedNotAnAllocation() {
        // text string claiming 2^32-1 bytes; byte string claiming 2^63-1 bytes; array claiming 2^32-1 items
        reason(cbor("81 a2 00 61 61 03 7a ffffffff 41"), DecodeError.MALFORMED);
        reason(cbor("81 a2 00 61 61 08 5b 7fffffffffffffff 41"), DecodeError.MALFORMED);
        assertThatThrownBy(() -> codec.decode(Hex.bytes("9a ffffffff a2 00 61 61 02 01"), PayloadFormat.CBOR))
                .isInstanceOf(DecodeException.class);
    }

    @Test
    void textThatIsNotWellFormedUnicodeIsMalformed() {
        // vs: text(2) ff fe is not UTF-8; "\ud800" is an unpaired surrogate spelled as a JSON escape
        reason(cbor("81 a2 00 61 61 03 62 fffe"), DecodeError.MALFORMED);
        // a 4-byte lead (f6) followed by ASCII: Jackson decodes it leniently into a lone surrogate
        reason(cbor("81 a2 00 61 61 03 64 f6652032"), DecodeError.MALFORMED).hasMessageContaining("Unicode");
        reason(cbor("81 a2 00 61 61 03 63 eda080"), DecodeError.MALFORMED); // UTF-8 encoded surrogate
        reason(json("[{\"n\":\"a\",\"vs\":\"x\\ud800\"}]"), DecodeError.MALFORMED);
        reason(json("[{\"n\":\"a\",\"vs\":\"\\udc00x\"}]"), DecodeError.MALFORMED);
        assertThat(codec.decode("[{\"n\":\"a\",\"vs\":\"\\ud83d\\ude00\"}]".getBytes(UTF_8), PayloadFormat.JSON)
                .readings()).singleElement().extracting(Reading::value).isEqualTo(java.util.Optional.of(new Value.Text("\ud83d\ude00")));
    }

    @Test
    void sequenceLabelsBelongInTheFirstRecordOnly() {
        reason(json("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2,\"fl_seq\":5}]"), DecodeError.WRONG_TYPE)
                .hasMessageContaining("first record");
        reason(json("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2,\"fl_bid\":1}]"), DecodeError.WRONG_TYPE);
    }

    @Test
    void bootIdWithoutSequenceNumberOrTheOtherWayRoundIsMissingField() {
        reason(json("[{\"fl_bid\":3,\"n\":\"a\",\"v\":1}]"), DecodeError.MISSING_FIELD).hasMessageContaining("fl_seq");
        reason(json("[{\"fl_seq\":3,\"n\":\"a\",\"v\":1}]"), DecodeError.MISSING_FIELD);
    }

    @Test
    void sequenceOutOfRangeIsWrongType() {
        reason(json("[{\"fl_bid\":3,\"fl_seq\":0,\"n\":\"a\",\"v\":1}]"), DecodeError.WRONG_TYPE);
        reason(json("[{\"fl_bid\":-1,\"fl_seq\":1,\"n\":\"a\",\"v\":1}]"), DecodeError.WRONG_TYPE);
        reason(json("[{\"fl_bid\":1,\"fl_seq\":1.5,\"n\":\"a\",\"v\":1}]"), DecodeError.WRONG_TYPE);
        reason(json("[{\"fl_bid\":1,\"fl_seq\":18446744073709551616,\"n\":\"a\",\"v\":1}]"), DecodeError.WRONG_TYPE);
        reason(cbor("81 a4 66 666c5f626964 01 66 666c5f736571 1b ffffffffffffffff 00 61 61 02 01"), DecodeError.WRONG_TYPE);
    }

    @Test
    void telemetryForAnotherFieldlineDeviceIsDeviceMismatch() {
        byte[] other = "[{\"bn\":\"urn:dev:fl:other:\",\"n\":\"temp\",\"v\":1}]".getBytes(UTF_8);
        byte[] prefixOfId = "[{\"bn\":\"urn:dev:fl:dev-10:\",\"n\":\"temp\",\"v\":1}]".getBytes(UTF_8);
        byte[] noMetric = "[{\"n\":\"urn:dev:fl:dev-1:\",\"v\":1}]".getBytes(UTF_8);
        byte[] laterRecord = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"a\",\"v\":1},{\"bn\":\"urn:dev:fl:dev-2:\",\"n\":\"a\",\"v\":1}]"
                .getBytes(UTF_8);

        for (byte[] payload : new byte[][] {other, prefixOfId, noMetric, laterRecord}) {
            reason(catchThrowable(() -> codec.decodeTelemetry("dev-1", payload, PayloadFormat.JSON)),
                    DecodeError.DEVICE_MISMATCH);
        }
    }

    @Test
    void telemetryFromThirdPartyProducersKeepsItsNames() {
        byte[] pack = "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":23.1}]".getBytes(UTF_8);

        Telemetry t = codec.decodeTelemetry("dev-1", pack, PayloadFormat.JSON);

        assertThat(t.sequence()).isEmpty();
        assertThat(t.readings()).extracting(Reading::name).containsExactly("urn:dev:ow:10e2073a01080063:temp");
    }

    @Test
    void jsonNumberWithMoreThanSixtyFourDigitsIsLimitExceeded() {
        reason(json("[{\"n\":\"a\",\"v\":" + "1".repeat(65) + "}]"), DecodeError.LIMIT_EXCEEDED);
        reason(json("[{\"n\":\"a\",\"v\":1." + "1".repeat(70) + "}]"), DecodeError.LIMIT_EXCEEDED);
    }

    @Test
    void compactCborEncodingsAreAccepted() {
        // indefinite-length array and map; v as half float 1.5; t as single float -2.5; bt as an integer
        byte[] pack = Hex.bytes("9f bf 21 62 613a 22 1a 6553f100 00 61 78 02 f9 3e00 06 fa c0200000 ff ff");

        assertThat(codec.decode(pack, PayloadFormat.CBOR).readings())
                .containsExactly(Reading.of("a:x", "", 1.5, Instant.ofEpochSecond(1_700_000_000L).minusMillis(2500)));
    }

    @Test
    void registeredLabelsMustBeIntegersInCbor() throws IOException {
        // a CBOR pack written with JSON-style text labels carries no value SenML knows of
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = new CBORFactory().createGenerator(out)) {
            g.writeStartArray();
            g.writeStartObject();
            g.writeStringField("n", "a");
            g.writeNumberField("v", 1.0);
            g.writeEndObject();
            g.writeEndArray();
        }
        reason(cbor(out.toByteArray()), DecodeError.MISSING_FIELD);
    }
}
