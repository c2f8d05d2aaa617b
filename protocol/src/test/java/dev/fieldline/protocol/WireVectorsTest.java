package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * Byte-exact encoder output for the example messages of docs/protocol.md. The CBOR was derived
 * independently of Jackson (a hand-written CBOR encoder in Python following RFC 8949, doubles from
 * struct.pack('>d', x)); a change here is a wire-protocol change.
 */
class WireVectorsTest {
    private final SenmlCodec senml = new SenmlCodec(DecodeLimits.DEFAULT, Clock.fixed(Samples.T, ZoneOffset.UTC));
    private final MessageCodec messages = new MessageCodec();

    static final String TELEMETRY_JSON = "[{\"bn\":\"urn:dev:fl:gh-7:\",\"bt\":1.7E9,\"fl_bid\":3,\"fl_seq\":42,"
            + "\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5},{\"n\":\"hum\",\"u\":\"%RH\",\"v\":48.0},"
            + "{\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.75,\"t\":10.0},{\"n\":\"door\",\"vb\":false,\"t\":10.0}]";

    static final String TELEMETRY_CBOR = """
            84                                        ; array(4)
              a7                                      ; map(7)
                21 70 75726e3a6465763a666c3a67682d373a ; -2 bn: "urn:dev:fl:gh-7:"
                22 fb 41d954fc40000000                ; -3 bt: 1700000000.0
                66 666c5f626964 03                    ; "fl_bid": 3
                66 666c5f736571 18 2a                 ; "fl_seq": 42
                00 64 74656d70                        ; 0 n: "temp"
                01 63 43656c                          ; 1 u: "Cel"
                02 fb 4035800000000000                ; 2 v: 21.5
              a3 00 63 68756d 01 63 255248 02 fb 4048000000000000 ; {n:"hum", u:"%RH", v:48.0}
              a4 00 64 74656d70 01 63 43656c 02 fb 4035c00000000000 06 fb 4024000000000000
                                                      ; {n:"temp", u:"Cel", v:21.75, t:10.0}
              a3 00 64 646f6f72 04 f4 06 fb 4024000000000000 ; {n:"door", vb:false, t:10.0}
            """;

    static final String EVENT_JSON = "{\"dev\":\"gh-7\",\"bid\":3,\"seq\":43,\"t\":1.700000012E9,\"type\":\"alert\","
            + "\"sev\":\"warning\",\"name\":\"temp\",\"msg\":\"temp above 21.6\",\"attrs\":{\"threshold\":21.6}}";
    static final String EVENT_CBOR = """
            a9 63646576 64 67682d37 63626964 03 63736571 18 2b 6174 fb 41d954fc43000000
            6474797065 65 616c657274 63736576 67 7761726e696e67 646e616d65 64 74656d70
            636d7367 6f 74656d702061626f76652032312e36 656174747273 a1 697468726573686f6c64 fb 403599999999999a
            """;

    static final String STATUS_JSON = "{\"dev\":\"gh-7\",\"bid\":3,\"t\":1.700000015E9,\"state\":\"online\",\"up\":125.5,"
            + "\"heap\":1048576,\"samples\":812,\"ctr\":{\"reconnects\":1,\"sent\":44}}";
    static final String STATUS_CBOR = """
            a8 63646576 64 67682d37 63626964 03 6174 fb 41d954fc43c00000 657374617465 66 6f6e6c696e65
            627570 fb 405f600000000000 6468656170 1a 00100000 6773616d706c6573 19 032c
            63637472 a2 6a7265636f6e6e65637473 01 6473656e74 18 2c
            """;

    static final String COMMAND_JSON = "{\"id\":\"c-0007\",\"name\":\"led\",\"args\":{\"on\":true},\"t\":1.70000002E9}";
    static final String COMMAND_CBOR = """
            a4 626964 66 632d30303037 646e616d65 63 6c6564 6461726773 a1 626f6e f5 6174 fb 41d954fc45000000
            """;

    static final String RESULT_JSON = "{\"dev\":\"gh-7\",\"bid\":3,\"seq\":44,\"t\":1.700000021E9,\"id\":\"c-0007\","
            + "\"ok\":true,\"msg\":\"\"}";
    static final String RESULT_CBOR = """
            a7 63646576 64 67682d37 63626964 03 63736571 18 2c 6174 fb 41d954fc45400000
            626964 66 632d30303037 626f6b f5 636d7367 60
            """;

    @Test
    void telemetryEncodesToTheDocumentedBytes() {
        assertThat(new String(senml.encode(Samples.TELEMETRY, PayloadFormat.JSON), UTF_8)).isEqualTo(TELEMETRY_JSON);
        assertThat(Hex.of(senml.encode(Samples.TELEMETRY, PayloadFormat.CBOR))).isEqualTo(Hex.of(Hex.bytes(TELEMETRY_CBOR)));
    }

    @Test
    void documentedTelemetryBytesDecodeBackToTheMessage() {
        assertThat(senml.decodeTelemetry(Samples.DEVICE, TELEMETRY_JSON.getBytes(UTF_8), PayloadFormat.JSON))
                .isEqualTo(Samples.TELEMETRY);
        assertThat(senml.decodeTelemetry(Samples.DEVICE, Hex.bytes(TELEMETRY_CBOR), PayloadFormat.CBOR))
                .isEqualTo(Samples.TELEMETRY);
    }

    @Test
    void eventEncodesToTheDocumentedBytes() {
        assertThat(new String(messages.encode(Samples.EVENT, PayloadFormat.JSON), UTF_8)).isEqualTo(EVENT_JSON);
        assertThat(Hex.of(messages.encode(Samples.EVENT, PayloadFormat.CBOR))).isEqualTo(Hex.of(Hex.bytes(EVENT_CBOR)));
        assertThat(messages.decodeEvent(Samples.DEVICE, Hex.bytes(EVENT_CBOR), PayloadFormat.CBOR)).isEqualTo(Samples.EVENT);
    }

    @Test
    void statusEncodesToTheDocumentedBytesWithCountersInKeyOrder() {
        assertThat(new String(messages.encode(Samples.STATUS, PayloadFormat.JSON), UTF_8)).isEqualTo(STATUS_JSON);
        assertThat(Hex.of(messages.encode(Samples.STATUS, PayloadFormat.CBOR))).isEqualTo(Hex.of(Hex.bytes(STATUS_CBOR)));
        assertThat(messages.decodeStatus(Samples.DEVICE, Hex.bytes(STATUS_CBOR), PayloadFormat.CBOR)).isEqualTo(Samples.STATUS);
    }

    @Test
    void commandEncodesToTheDocumentedBytes() {
        assertThat(new String(messages.encode(Samples.COMMAND, PayloadFormat.JSON), UTF_8)).isEqualTo(COMMAND_JSON);
        assertThat(Hex.of(messages.encode(Samples.COMMAND, PayloadFormat.CBOR))).isEqualTo(Hex.of(Hex.bytes(COMMAND_CBOR)));
        assertThat(messages.decodeCommand(Hex.bytes(COMMAND_CBOR), PayloadFormat.CBOR)).isEqualTo(Samples.COMMAND);
    }

    @Test
    void commandResultEncodesToTheDocumentedBytes() {
        assertThat(new String(messages.encode(Samples.RESULT, PayloadFormat.JSON), UTF_8)).isEqualTo(RESULT_JSON);
        assertThat(Hex.of(messages.encode(Samples.RESULT, PayloadFormat.CBOR))).isEqualTo(Hex.of(Hex.bytes(RESULT_CBOR)));
        assertThat(messages.decodeCommandResult(Samples.DEVICE, Hex.bytes(RESULT_CBOR), PayloadFormat.CBOR))
                .isEqualTo(Samples.RESULT);
    }
}
