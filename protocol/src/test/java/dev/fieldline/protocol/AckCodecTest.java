package dev.fieldline.protocol;

import static dev.fieldline.protocol.SenmlStrictnessTest.reason;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The ack message (gateway to device): round trip, what it covers, limits and refusals. */
class AckCodecTest {
    private final MessageCodec codec = new MessageCodec();

    private Throwable decode(String json) {
        return catchThrowable(() -> codec.decodeAck("dev-1", json.getBytes(UTF_8), PayloadFormat.JSON));
    }

    private static List<Ack.Range> ranges(int n) {
        List<Ack.Range> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Ack.Range(10 + 3L * i, 11 + 3L * i));
        }
        return out;
    }

    @Test
    void roundTripsInBothFormats() {
        List<Ack> acks = List.of(Ack.through("dev-1", 0, 0), Ack.through("dev-1", 7, 123_456_789_012L),
                new Ack("dev-1", 3, 41, List.of(new Ack.Range(43, 44), new Ack.Range(46, 46))),
                new Ack("dev-1", Long.MAX_VALUE, 0, List.of(new Ack.Range(5, Long.MAX_VALUE))),
                new Ack("dev-1", 2, 9, ranges(Ack.MAX_RANGES)));
        for (PayloadFormat format : PayloadFormat.values()) {
            for (Ack a : acks) {
                assertThat(codec.decodeAck("dev-1", codec.encode(a, format), format)).as(format + " " + a).isEqualTo(a);
            }
        }
    }

    @Test
    void theLargestAckStaysSmall() {
        Ack largest = new Ack("d".repeat(64), Long.MAX_VALUE, Long.MAX_VALUE - 2L * Ack.MAX_RANGES - 2,
                IntStream.range(0, Ack.MAX_RANGES).mapToObj(i -> new Ack.Range(Long.MAX_VALUE - 2L * Ack.MAX_RANGES + 2L * i,
                        Long.MAX_VALUE - 2L * Ack.MAX_RANGES + 2L * i)).toList());
        assertThat(codec.encode(largest, PayloadFormat.CBOR).length).isLessThan(1400);
        assertThat(codec.encode(largest, PayloadFormat.JSON).length).isLessThan(3000);
    }

    @Test
    void coversTheWatermarkAndTheRangesOnly() {
        Ack a = new Ack("dev-1", 3, 41, List.of(new Ack.Range(43, 44), new Ack.Range(50, 52)));
        assertThat(seqs(0, 60).filter(a::covers).boxed().toList())
                .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L,
                        21L, 22L, 23L, 24L, 25L, 26L, 27L, 28L, 29L, 30L, 31L, 32L, 33L, 34L, 35L, 36L, 37L, 38L, 39L, 40L,
                        41L, 43L, 44L, 50L, 51L, 52L);
        assertThat(a.highest()).isEqualTo(52);
        assertThat(Ack.through("dev-1", 3, 0).covers(1)).isFalse();
    }

    private static LongStream seqs(long from, long to) {
        return LongStream.rangeClosed(from, to);
    }

    @Test
    void theRecordRefusesBadArgumentsNamingThem() {
        assertThatThrownBy(() -> new Ack("dev/1", 1, 0, List.of())).hasMessageContaining("deviceId");
        assertThatThrownBy(() -> new Ack("dev-1", -1, 0, List.of())).hasMessageContaining("bootId");
        assertThatThrownBy(() -> new Ack("dev-1", 1, -1, List.of())).hasMessageContaining("watermark");
        assertThatThrownBy(() -> new Ack("dev-1", 1, 0, null)).hasMessageContaining("ranges");
        assertThatThrownBy(() -> new Ack("dev-1", 1, 0, ranges(Ack.MAX_RANGES + 1))).hasMessageContaining("ranges");
        assertThatThrownBy(() -> new Ack("dev-1", 1, 5, List.of(new Ack.Range(5, 6)))).hasMessageContaining("above");
        assertThatThrownBy(() -> new Ack("dev-1", 1, 0, List.of(new Ack.Range(5, 6), new Ack.Range(3, 4))))
                .hasMessageContaining("ascending");
        assertThatThrownBy(() -> new Ack.Range(0, 1)).hasMessageContaining("first");
        assertThatThrownBy(() -> new Ack.Range(4, 3)).hasMessageContaining("first");
    }

    @Test
    void malformedAndWrongAcksAreRefusedWithTheirReason() {
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1}"), DecodeError.MISSING_FIELD).hasMessageContaining("w");
        reason(decode("{\"dev\":\"dev-1\",\"w\":1}"), DecodeError.MISSING_FIELD).hasMessageContaining("bid");
        reason(decode("{\"bid\":1,\"w\":1}"), DecodeError.MISSING_FIELD).hasMessageContaining("dev");
        reason(decode("{\"dev\":\"dev-2\",\"bid\":1,\"w\":1}"), DecodeError.DEVICE_MISMATCH);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":-1}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1.5}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":{}}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[5]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[5]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[5,6,7]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[6,5]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[0,5]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":5,\"r\":[[5,6]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[8,9],[3,4]]}"), DecodeError.WRONG_TYPE);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[[3,4]]"), DecodeError.MALFORMED);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1} {}"), DecodeError.MALFORMED);
        reason(decode("[]"), DecodeError.MALFORMED);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"w\":2}"), DecodeError.MALFORMED);
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"x_\":2}"), DecodeError.UNKNOWN_MUST_UNDERSTAND);
        assertThat(codec.decodeAck("dev-1", "{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"later\":[1]}".getBytes(UTF_8),
                PayloadFormat.JSON)).isEqualTo(Ack.through("dev-1", 1, 1));
    }

    @Test
    void moreRangesThanTheLimitIsLimitExceededAndTooLargeIsTooLarge() {
        String many = IntStream.range(0, Ack.MAX_RANGES + 1).mapToObj(i -> "[" + (10 + 3 * i) + "," + (11 + 3 * i) + "]")
                .collect(Collectors.joining(","));
        reason(decode("{\"dev\":\"dev-1\",\"bid\":1,\"w\":1,\"r\":[" + many + "]}"), DecodeError.LIMIT_EXCEEDED);
        MessageCodec small = new MessageCodec(DecodeLimits.DEFAULT.withMaxPayloadBytes(16));
        reason(catchThrowable(() -> small.decodeAck("dev-1", "{\"dev\":\"dev-1\",\"bid\":1,\"w\":1}".getBytes(UTF_8),
                PayloadFormat.JSON)), DecodeError.TOO_LARGE);
    }

    @Test
    void otherMessagesStillIgnoreTheAckKeys() {
        String result = "{\"dev\":\"dev-1\",\"bid\":2,\"seq\":5,\"t\":1.7e9,\"id\":\"c1\",\"ok\":true,\"w\":\"x\",\"r\":{}}";
        assertThat(codec.decodeCommandResult("dev-1", result.getBytes(UTF_8), PayloadFormat.JSON).ok()).isTrue();
    }
}
