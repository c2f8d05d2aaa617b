package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The examples of RFC 8428 §5 and §6, decoded and resolved as §4.6 says. */
class RfcVectorsTest {
    /** "Now" for relative times (RFC 8428 §4.5.3): 2026-01-01T00:00:00Z. */
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private final SenmlCodec codec = new SenmlCodec(DecodeLimits.DEFAULT, Clock.fixed(NOW, ZoneOffset.UTC));

    private static final String MULTIPLE_DATAPOINTS_JSON = """
            [{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},\
            {"n":"current","t":-5,"v":1.2},{"n":"current","t":-4,"v":1.3},{"n":"current","t":-3,"v":1.4},\
            {"n":"current","t":-2,"v":1.5},{"n":"current","t":-1,"v":1.6},{"n":"current","v":1.7}]""";

    /**
     * RFC 8428 §6: the §5.1.2 pack in CBOR, from the diagnostic notation
     * {@code [{-2:"urn:dev:ow:10e2073a0108006:", -3:1276020076.001, -4:"A", -1:5, 0:"voltage", 1:"V",
     * 2:120.1}, {0:"current", 6:-5, 2:1.2}, ..., {0:"current", 6:0, 2:1.7}]}. Doubles are
     * IEEE-754 big-endian (Double.doubleToLongBits, cross-checked with Python's struct.pack('>d', x)).
     */
    static final String MULTIPLE_DATAPOINTS_CBOR = """
            87                                      ; array(7)
            a7                                      ; map(7)
              21                                    ; -2 bn
              78 1b 75726e3a6465763a6f773a3130653230373361303130383030363a ; text(27) "urn:dev:ow:10e2073a0108006:"
              22                                    ; -3 bt
              fb 41d303a15b001062                   ; 1276020076.001
              23                                    ; -4 bu
              61 41                                 ; "A"
              20                                    ; -1 bver
              05                                    ; 5
              00                                    ; 0 n
              67 766f6c74616765                     ; "voltage"
              01                                    ; 1 u
              61 56                                 ; "V"
              02                                    ; 2 v
              fb 405e066666666666                   ; 120.1
            a3 00 67 63757272656e74 06 24 02 fb 3ff3333333333333 ; {n:"current", t:-5, v:1.2}
            a3 00 67 63757272656e74 06 23 02 fb 3ff4cccccccccccd ; {n:"current", t:-4, v:1.3}
            a3 00 67 63757272656e74 06 22 02 fb 3ff6666666666666 ; {n:"current", t:-3, v:1.4}
            a3 00 67 63757272656e74 06 21 02 fb 3ff8000000000000 ; {n:"current", t:-2, v:1.5}
            a3 00 67 63757272656e74 06 20 02 fb 3ff999999999999a ; {n:"current", t:-1, v:1.6}
            a3 00 67 63757272656e74 06 00 02 fb 3ffb333333333333 ; {n:"current", t:0, v:1.7}
            """;

    private static byte[] json(String s) {
        return s.getBytes(UTF_8);
    }

    private static Reading num(String name, String unit, double v, Instant t) {
        return Reading.of(name, unit, v, t);
    }

    private static Instant at(String epochSecondsWithMillis) {
        return Instant.ofEpochMilli(Math.round(Double.parseDouble(epochSecondsWithMillis) * 1000));
    }

    private static List<Reading> multipleDatapointsResolved() {
        String bn = "urn:dev:ow:10e2073a0108006:";
        return List.of(
                num(bn + "voltage", "V", 120.1, at("1276020076.001")),
                num(bn + "current", "A", 1.2, at("1276020071.001")),
                num(bn + "current", "A", 1.3, at("1276020072.001")),
                num(bn + "current", "A", 1.4, at("1276020073.001")),
                num(bn + "current", "A", 1.5, at("1276020074.001")),
                num(bn + "current", "A", 1.6, at("1276020075.001")),
                num(bn + "current", "A", 1.7, at("1276020076.001")));
    }

    @Test
    void singleDatapointHasNoTimeSoItIsNow() {
        SenmlCodec.Pack pack = codec.decode(json("[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]"),
                PayloadFormat.JSON);

        assertThat(pack.readings()).containsExactly(num("urn:dev:ow:10e2073a01080063", "Cel", 23.1, NOW));
        assertThat(pack.sequence()).isEmpty();
    }

    @Test
    void multipleDatapointsWithBaseNameAndRelativeTimesToAnAbsoluteBaseTime() {
        String pack = """
                [{"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
                 {"n":"current","u":"A","v":1.2}]""";

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings()).containsExactly(
                num("urn:dev:ow:10e2073a01080063:voltage", "V", 120.1, NOW),
                num("urn:dev:ow:10e2073a01080063:current", "A", 1.2, NOW));
    }

    @Test
    void multipleDatapointsWithBaseTimeBaseUnitAndVersion() {
        SenmlCodec.Pack pack = codec.decode(json(MULTIPLE_DATAPOINTS_JSON), PayloadFormat.JSON);

        assertThat(pack.readings()).containsExactlyElementsOf(multipleDatapointsResolved());
    }

    @Test
    void cborRepresentationOfTheSamePackDecodesToTheSameReadings() {
        byte[] cbor = Hex.bytes(MULTIPLE_DATAPOINTS_CBOR);

        assertThat(cbor).hasSize(201).startsWith(0x87, 0xa7, 0x21, 0x78, 0x1b);
        assertThat(codec.decode(cbor, PayloadFormat.CBOR).readings())
                .containsExactlyElementsOf(multipleDatapointsResolved());
    }

    @Test
    void resolvedFormOfAPackDecodesToTheSameReadings() {
        String resolved = """
                [{"n":"urn:dev:ow:10e2073a0108006:voltage","u":"V","v":120.1,"t":1.276020076001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.2,"t":1.276020071001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.3,"t":1.276020072001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.4,"t":1.276020073001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.5,"t":1.276020074001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.6,"t":1.276020075001e+09},
                 {"n":"urn:dev:ow:10e2073a0108006:current","u":"A","v":1.7,"t":1.276020076001e+09}]""";

        assertThat(codec.decode(json(resolved), PayloadFormat.JSON).readings())
                .containsExactlyElementsOf(multipleDatapointsResolved());
    }

    @Test
    void multipleMeasurementsWithUnitsOverridingTheBaseUnitAndAbsoluteTimes() {
        String pack = """
                [{"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,"bu":"%RH","v":20},
                 {"u":"lon","v":24.30621},
                 {"u":"lat","v":60.07965},
                 {"t":60,"v":20.3},
                 {"u":"lon","t":60,"v":24.30622},
                 {"u":"lat","t":60,"v":60.07965},
                 {"t":120,"v":20.7},
                 {"u":"lon","t":120,"v":24.30623},
                 {"u":"lat","t":120,"v":60.07966},
                 {"u":"%EL","t":150,"v":98},
                 {"t":180,"v":21.2},
                 {"u":"lon","t":180,"v":24.30628},
                 {"u":"lat","t":180,"v":60.07967}]""";
        String n = "urn:dev:ow:10e2073a01080063";
        Instant bt = Instant.ofEpochSecond(1_320_067_464L);

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings()).containsExactly(
                num(n, "%RH", 20, bt),
                num(n, "lon", 24.30621, bt),
                num(n, "lat", 60.07965, bt),
                num(n, "%RH", 20.3, bt.plusSeconds(60)),
                num(n, "lon", 24.30622, bt.plusSeconds(60)),
                num(n, "lat", 60.07965, bt.plusSeconds(60)),
                num(n, "%RH", 20.7, bt.plusSeconds(120)),
                num(n, "lon", 24.30623, bt.plusSeconds(120)),
                num(n, "lat", 60.07966, bt.plusSeconds(120)),
                num(n, "%EL", 98, bt.plusSeconds(150)),
                num(n, "%RH", 21.2, bt.plusSeconds(180)),
                num(n, "lon", 24.30628, bt.plusSeconds(180)),
                num(n, "lat", 60.07967, bt.plusSeconds(180)));
    }

    @Test
    void multipleDataTypesStringBooleanAndBase64urlData() {
        String pack = """
                [{"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
                 {"n":"label","vs":"Machine Room"},
                 {"n":"open","vb":false},
                 {"n":"nfc-reader","vd":"aGkgCg"}]""";
        String bn = "urn:dev:ow:10e2073a01080063:";

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings()).containsExactly(
                num(bn + "temp", "Cel", 23.1, NOW),
                Reading.of(bn + "label", "", new Value.Text("Machine Room"), NOW),
                Reading.of(bn + "open", "", new Value.Bool(false), NOW),
                Reading.of(bn + "nfc-reader", "", new Value.Data("hi \n".getBytes(UTF_8)), NOW));
    }

    @Test
    void dataValueInCborIsAByteString() {
        // [{0:"nfc-reader", 8:h'6869200a'}]
        byte[] cbor = Hex.bytes("81 a2 00 6a 6e66632d726561646572 08 44 6869200a");

        assertThat(codec.decode(cbor, PayloadFormat.CBOR).readings())
                .containsExactly(Reading.of("nfc-reader", "", new Value.Data("hi \n".getBytes(UTF_8)), NOW));
    }

    @Test
    void negativeAndSmallTimesAreRelativeToNowAndLargeOnesAbsolute() {
        String pack = """
                [{"n":"a","v":1,"t":-30.5},{"n":"b","v":2,"t":268435455},{"n":"c","v":3,"t":268435456}]""";

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings()).extracting(Reading::time).containsExactly(
                NOW.minusMillis(30_500), NOW.plusSeconds(268_435_455L), Instant.ofEpochSecond(268_435_456L));
    }

    @Test
    void baseValueAndBaseSumAreAddedAndSumOnlyRecordsHaveNoValue() {
        String pack = """
                [{"bn":"m:","bv":100,"bs":1000,"n":"energy","u":"kWh","v":5,"s":7},{"n":"total","u":"kWh","s":1}]""";

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings()).containsExactly(
                new Reading("m:energy", "kWh", Optional.of(new Value.Num(105)), OptionalDouble.of(1007), NOW),
                new Reading("m:total", "kWh", Optional.empty(), OptionalDouble.of(1001), NOW));
    }

    @Test
    void recordWithOnlyBaseFieldsCarriesNoReading() {
        String pack = """
                [{"bn":"urn:dev:ow:1:","bt":1.7e9,"bu":"Cel"},{"n":"temp","v":21}]""";

        assertThat(codec.decode(json(pack), PayloadFormat.JSON).readings())
                .containsExactly(num("urn:dev:ow:1:temp", "Cel", 21, Instant.ofEpochSecond(1_700_000_000L)));
    }
}
