package dev.fieldline.protocol;

import static dev.fieldline.protocol.SenmlStrictnessTest.reason;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How event, status, command and command-result payloads are refused. */
class MessageStrictnessTest {
    private static final String HEADER = "\"dev\":\"dev-1\",\"bid\":2,\"seq\":5,\"t\":1.7e9";
    private static final String EVENT_BODY = "\"type\":\"alert\",\"sev\":\"warning\",\"name\":\"temp\"";
    private final MessageCodec codec = new MessageCodec();

    private Throwable event(String json) {
        return catchThrowable(() -> codec.decodeEvent("dev-1", json.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private Throwable status(String json) {
        return catchThrowable(() -> codec.decodeStatus("dev-1", json.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private Throwable result(String json) {
        return catchThrowable(() -> codec.decodeCommandResult("dev-1", json.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private Throwable command(String json) {
        return catchThrowable(() -> codec.decodeCommand(json.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private static String statusWith(String extra) {
        return "{\"dev\":\"dev-1\",\"bid\":2,\"t\":1.7e9,\"state\":\"online\"" + extra + "}";
    }

    @Test
    void statusSensorsAreStrict() {
        assertThat(codec.decodeStatus("dev-1", statusWith(",\"sensors\":[{\"name\":\"air\",\"state\":\"faulted\","
                + "\"reason\":\"nack\",\"since\":1.7e9,\"retries\":2,\"future\":1}]").getBytes(UTF_8), PayloadFormat.JSON)
                .sensors()).containsExactly(new SensorHealth("air", SensorHealth.State.FAULTED, "nack", "",
                        java.time.Instant.ofEpochSecond(1_700_000_000), 2));
        reason(status(statusWith(",\"sensors\":{}")), DecodeError.WRONG_TYPE).hasMessageContaining("sensors must be an array");
        reason(status(statusWith(",\"sensors\":[{\"state\":\"ok\",\"since\":1,\"retries\":0}]")), DecodeError.MISSING_FIELD)
                .hasMessageContaining("sensors[0].name");
        reason(status(statusWith(",\"sensors\":[{\"name\":\"a\",\"state\":\"broken\",\"since\":1,\"retries\":0}]")),
                DecodeError.WRONG_TYPE).hasMessageContaining("ok or faulted");
        reason(status(statusWith(",\"sensors\":[{\"name\":\"a\",\"state\":\"ok\",\"since\":1,\"retries\":-1}]")),
                DecodeError.WRONG_TYPE).hasMessageContaining("retries");
        reason(status(statusWith(",\"sensors\":[{\"name\":\"a\",\"state\":\"ok\",\"reason\":\"NO WAY\",\"since\":1,\"retries\":0}]")),
                DecodeError.INVALID_VALUE).hasMessageContaining("reason");
        String many = ",\"sensors\":[" + String.join(",", java.util.Collections.nCopies(65,
                "{\"name\":\"a\",\"state\":\"ok\",\"since\":1,\"retries\":0}")) + "]";
        reason(status(statusWith(many)), DecodeError.LIMIT_EXCEEDED).hasMessageContaining("more than 64");
    }

    @Test
    void minimalMessagesDecode() {
        assertThat(codec.decodeEvent("dev-1", ("{" + HEADER + "," + EVENT_BODY + "}").getBytes(UTF_8), PayloadFormat.JSON))
                .satisfies(e -> {
                    assertThat(e.message()).isEmpty();
                    assertThat(e.attributes()).isEmpty();
                    assertThat(e.sequence()).isEqualTo(new Sequence(2, 5));
                });
        assertThat(codec.decodeStatus("dev-1", statusWith("").getBytes(UTF_8), PayloadFormat.JSON).uptime()).isZero();
        assertThat(codec.decodeCommand("{\"id\":\"c1\",\"name\":\"reboot\"}".getBytes(UTF_8), PayloadFormat.JSON).issuedAt())
                .isEqualTo(java.time.Instant.EPOCH);
    }

    @Test
    void eachRequiredHeaderFieldIsMissingField() {
        for (String field : new String[] {"dev", "bid", "seq", "t"}) {
            String header = java.util.Arrays.stream(HEADER.split(","))
                    .filter(kv -> !kv.startsWith("\"" + field + "\""))
                    .collect(Collectors.joining(","));
            reason(event("{" + header + "," + EVENT_BODY + "}"), DecodeError.MISSING_FIELD).hasMessageContaining(field);
            reason(result("{" + header + ",\"id\":\"c1\",\"ok\":true}"), DecodeError.MISSING_FIELD);
        }
        reason(status("{\"dev\":\"dev-1\",\"t\":1.7e9,\"state\":\"online\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("bid");
        reason(status("{\"dev\":\"dev-1\",\"bid\":1,\"t\":1.7e9}"), DecodeError.MISSING_FIELD).hasMessageContaining("state");
    }

    @Test
    void eachRequiredBodyFieldIsMissingField() {
        reason(event("{" + HEADER + ",\"sev\":\"info\",\"name\":\"x\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("type");
        reason(event("{" + HEADER + ",\"type\":\"alert\",\"name\":\"x\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("sev");
        reason(event("{" + HEADER + ",\"type\":\"alert\",\"sev\":\"info\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("name");
        reason(result("{" + HEADER + ",\"ok\":true}"), DecodeError.MISSING_FIELD).hasMessageContaining("id");
        reason(result("{" + HEADER + ",\"id\":\"c1\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("ok");
        reason(command("{\"name\":\"reboot\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("id");
        reason(command("{\"id\":\"c1\"}"), DecodeError.MISSING_FIELD).hasMessageContaining("name");
    }

    @Test
    void messageForAnotherDeviceIsDeviceMismatch() {
        reason(event("{" + HEADER.replace("dev-1", "dev-2") + "," + EVENT_BODY + "}"), DecodeError.DEVICE_MISMATCH);
        reason(status(statusWith("").replace("dev-1", "DEV-1")), DecodeError.DEVICE_MISMATCH);
        reason(result("{" + HEADER.replace("dev-1", "dev-10") + ",\"id\":\"c1\",\"ok\":false}"), DecodeError.DEVICE_MISMATCH);
    }

    @Test
    void unknownStateOrSeverityIsWrongType() {
        reason(status(statusWith("").replace("online", "ONLINE")), DecodeError.WRONG_TYPE).hasMessageContaining("state");
        reason(status(statusWith("").replace("online", "sleeping")), DecodeError.WRONG_TYPE);
        reason(event("{" + HEADER + "," + EVENT_BODY.replace("warning", "warn") + "}"), DecodeError.WRONG_TYPE)
                .hasMessageContaining("sev");
    }

    @Test
    void fieldsOfTheWrongTypeAreWrongType() {
        reason(event("{" + HEADER.replace("\"bid\":2", "\"bid\":\"2\"") + "," + EVENT_BODY + "}"), DecodeError.WRONG_TYPE);
        reason(event("{" + HEADER.replace("\"seq\":5", "\"seq\":0") + "," + EVENT_BODY + "}"), DecodeError.WRONG_TYPE);
        reason(event("{" + HEADER.replace("\"seq\":5", "\"seq\":5.5") + "," + EVENT_BODY + "}"), DecodeError.WRONG_TYPE);
        reason(event("{" + HEADER.replace("\"t\":1.7e9", "\"t\":\"now\"") + "," + EVENT_BODY + "}"), DecodeError.WRONG_TYPE);
        reason(result("{" + HEADER + ",\"id\":\"c1\",\"ok\":1}"), DecodeError.WRONG_TYPE);
        reason(result("{" + HEADER + ",\"id\":\"\",\"ok\":true}"), DecodeError.WRONG_TYPE);
        reason(result("{" + HEADER + ",\"id\":\"" + "i".repeat(65) + "\",\"ok\":true}"), DecodeError.WRONG_TYPE);
        reason(status(statusWith(",\"up\":-1")), DecodeError.WRONG_TYPE).hasMessageContaining("up");
        reason(command("{\"id\":\"c1\",\"name\":\"led\",\"args\":[true]}"), DecodeError.WRONG_TYPE);
    }

    @Test
    void badNamesAreInvalidName() {
        reason(event("{" + HEADER + "," + EVENT_BODY.replace("\"temp\"", "\"room temp\"") + "}"), DecodeError.INVALID_NAME);
        reason(event("{" + HEADER + "," + EVENT_BODY.replace("\"alert\"", "\"" + "a".repeat(129) + "\"") + "}"),
                DecodeError.INVALID_NAME);
        reason(command("{\"id\":\"c1\",\"name\":\"-led\"}"), DecodeError.INVALID_NAME);
    }

    @Test
    void counterValuesMustBeNonNegativeIntegers() {
        assertThat(codec.decodeStatus("dev-1", statusWith(",\"ctr\":{\"sent\":0,\"failed\":9007199254740992}")
                .getBytes(UTF_8), PayloadFormat.JSON).counters()).containsEntry("failed", 9_007_199_254_740_992L);
        reason(status(statusWith(",\"ctr\":{\"sent\":-1}")), DecodeError.WRONG_TYPE).hasMessageContaining("ctr.sent");
        reason(status(statusWith(",\"ctr\":{\"sent\":1.5}")), DecodeError.WRONG_TYPE);
        reason(status(statusWith(",\"ctr\":{\"sent\":true}")), DecodeError.WRONG_TYPE);
        reason(status(statusWith(",\"ctr\":{\"sent\":\"3\"}")), DecodeError.WRONG_TYPE);
        reason(status(statusWith(",\"ctr\":{\"sent\":{\"a\":1}}")), DecodeError.WRONG_TYPE);
    }

    @Test
    void attributeMapsAreLimitedInSizeKeysAndValues() {
        String at32 = IntStream.range(0, 32).mapToObj(i -> "\"k" + i + "\":" + i).collect(Collectors.joining(","));
        String at33 = IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\":" + i).collect(Collectors.joining(","));

        assertThat(codec.decodeEvent("dev-1", ("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{" + at32 + "}}").getBytes(UTF_8),
                PayloadFormat.JSON).attributes()).hasSize(32);
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{" + at33 + "}}"), DecodeError.LIMIT_EXCEEDED);
        reason(command("{\"id\":\"c1\",\"name\":\"led\",\"args\":{" + at33 + "}}"), DecodeError.LIMIT_EXCEEDED);
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{\"bad key\":1}}"), DecodeError.INVALID_NAME);
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{\"k\":\"" + "x".repeat(4097) + "\"}}"),
                DecodeError.LIMIT_EXCEEDED);
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{\"k\":null}}"), DecodeError.WRONG_TYPE);
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"attrs\":{\"k\":[1]}}"), DecodeError.WRONG_TYPE);
        reason(catchThrowable(() -> codec.decodeEvent("dev-1", Hex.bytes(
                "a6 63646576 65 6465762d31 63626964 01 63736571 01 6174 01 6474797065 61 61"
                        + " 656174747273 a1 616b fb 7ff8000000000000"), PayloadFormat.CBOR)), DecodeError.INVALID_VALUE);
    }

    @Test
    void messageTooLongIsLimitExceeded() {
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"msg\":\"" + "x".repeat(4097) + "\"}"), DecodeError.LIMIT_EXCEEDED);
    }

    @Test
    void mustUnderstandKeyIsRefusedAndOtherUnknownKeysAreIgnored() {
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"sig_\":1}"), DecodeError.UNKNOWN_MUST_UNDERSTAND);
        assertThat(codec.decodeEvent("dev-1", ("{" + HEADER + "," + EVENT_BODY + ",\"fw\":{\"v\":[1,2,3]},\"x\":null}")
                .getBytes(UTF_8), PayloadFormat.JSON).name()).isEqualTo("temp");
    }

    @Test
    void structuralProblemsAreMalformed() {
        reason(event(""), DecodeError.MALFORMED);
        reason(event("[]"), DecodeError.MALFORMED);
        reason(event("{" + HEADER + "," + EVENT_BODY), DecodeError.MALFORMED);
        reason(event("{" + HEADER + "," + EVENT_BODY + "}{}"), DecodeError.MALFORMED);
        reason(event("{" + HEADER + ",\"bid\":3," + EVENT_BODY + "}"), DecodeError.MALFORMED);
        reason(catchThrowable(() -> codec.decodeEvent("dev-1", Hex.bytes("a1 63646576"), PayloadFormat.CBOR)),
                DecodeError.MALFORMED);
        // CBOR map with an integer key
        reason(catchThrowable(() -> codec.decodeCommand(Hex.bytes("a1 01 01"), PayloadFormat.CBOR)), DecodeError.MISSING_FIELD);
    }

    @Test
    void messageTextThatIsNotWellFormedUnicodeIsMalformed() {
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"msg\":\"\\ud800\"}"), DecodeError.MALFORMED);
        // command result {dev:"dev-1", bid:1, seq:1, t:1, id:"c1", ok:true, msg:h'ff' as text}
        reason(catchThrowable(() -> codec.decodeCommandResult("dev-1", Hex.bytes(
                "a7 63646576 65 6465762d31 63626964 01 63736571 01 6174 01 626964 62 6331 626f6b f5 636d7367 61 ff"),
                PayloadFormat.CBOR)), DecodeError.MALFORMED);
    }

    @Test
    void nestingBombInAnUnknownKeyIsLimitExceeded() {
        reason(event("{" + HEADER + "," + EVENT_BODY + ",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}"),
                DecodeError.LIMIT_EXCEEDED);
    }

    @Test
    void oversizePayloadIsTooLarge() {
        MessageCodec small = new MessageCodec(DecodeLimits.DEFAULT.withMaxPayloadBytes(16));
        reason(catchThrowable(() -> small.decodeStatus("dev-1", statusWith("").getBytes(UTF_8), PayloadFormat.JSON)),
                DecodeError.TOO_LARGE);
    }
}
