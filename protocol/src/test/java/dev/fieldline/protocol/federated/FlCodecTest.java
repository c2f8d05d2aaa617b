package dev.fieldline.protocol.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class FlCodecTest {
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
    private static final byte[] DIGEST = FlCodec.sha256("weights".getBytes(StandardCharsets.UTF_8));
    private final FlCodec codec = new FlCodec();

    static List<FlMessage> samples() {
        return List.of(
                new FlMessage.Join("gh-7", "mlp", 199_210, T),
                new FlMessage.Task(3, "mlp", 2, Map.of("epochs", 1.0, "lr", 0.05), T.plusSeconds(30), DIGEST, 796_840, 32_768),
                new FlMessage.Fetch(2, 24),
                new FlMessage.Chunk(2, 24, 25, new byte[] {1, 2, 3}),
                new FlMessage.UpdateChunk("gh-7", 3, 0, 2, 10, DIGEST, new byte[] {9, 8, 7, 6, 5}),
                new FlMessage.Receipt(3, "accepted", ""),
                new FlMessage.Receipt(3, "rejected", "norm: too large"));
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void everyMessageRoundTrips(PayloadFormat format) {
        for (FlMessage m : samples()) {
            byte[] bytes = codec.encode(m, format);
            assertThat(codec.decode(m.kind(), "gh-7", bytes, format)).as(m.toString()).isEqualTo(m);
        }
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void bodyRoundTripsAndIsBoundedByTheModel(PayloadFormat format) {
        float[] delta = {0.5f, -1.25f, 3e-7f, Float.MAX_VALUE};
        UpdateBody body = new UpdateBody(4, 120, Map.of("loss", 0.3, "accuracy", 0.9), delta);
        byte[] bytes = codec.encodeBody(body, format);
        assertThat(codec.decodeBody(bytes, format, 4)).isEqualTo(body);
        assertThatThrownBy(() -> codec.decodeBody(bytes, format, 5)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(DecodeError.WRONG_TYPE));
        byte[] big = new byte[FlCodec.maxBodyBytes(4) + 1];
        big[0] = (byte) 0xa0;
        assertThatThrownBy(() -> codec.decodeBody(big, format, 4)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(DecodeError.TOO_LARGE));
    }

    @Test
    void floatsAreLittleEndian() {
        assertThat(FlCodec.floatsToBytes(new float[] {1.0f})).containsExactly(0, 0, (byte) 0x80, 0x3f);
        assertThat(FlCodec.bytesToFloats(new byte[] {0, 0, (byte) 0x80, 0x3f})).containsExactly(1.0f);
    }

    @Test
    void refusesWhatIsWrong() {
        assertRefused(FlKind.JOIN, "{\"dev\":\"other\",\"model\":\"mlp\",\"size\":3,\"t\":1}", DecodeError.DEVICE_MISMATCH);
        assertRefused(FlKind.JOIN, "{\"dev\":\"gh-7\",\"model\":\"mlp\",\"t\":1}", DecodeError.MISSING_FIELD);
        assertRefused(FlKind.JOIN, "{\"dev\":\"gh-7\",\"model\":\"mlp\",\"size\":0,\"t\":1}", DecodeError.WRONG_TYPE);
        assertRefused(FlKind.JOIN, "{\"dev\":\"gh-7\",\"model\":\"mlp\",\"size\":3,\"t\":1,\"x_\":1}",
                DecodeError.UNKNOWN_MUST_UNDERSTAND);
        assertRefused(FlKind.FETCH, "{\"v\":1,\"i\":-1}", DecodeError.WRONG_TYPE);
        assertRefused(FlKind.FETCH, "{\"v\":1,\"i\":1,\"v\":2}", DecodeError.MALFORMED);
        assertRefused(FlKind.CHUNK, "{\"v\":1,\"i\":3,\"n\":3,\"data\":\"AAE\"}", DecodeError.WRONG_TYPE);
        assertRefused(FlKind.UPDATE, "{\"dev\":\"gh-7\",\"round\":1,\"i\":0,\"n\":1,\"size\":3,\"digest\":\"AAE\",\"data\":\"AAE\"}",
                DecodeError.WRONG_TYPE);
        assertRefused(FlKind.TASK, "{\"round\":1,\"model\":\"mlp\",\"v\":0,\"plan\":{\"lr\":\"x\"},\"deadline\":1,"
                + "\"digest\":\"AAE\",\"size\":1,\"chunk\":1}", DecodeError.WRONG_TYPE);
        assertRefused(FlKind.RECEIPT, "[1]", DecodeError.MALFORMED);
        byte[] tooLarge = new byte[codec.limits().maxPayloadBytes() + 1];
        assertThatThrownBy(() -> codec.decodeFetch(tooLarge, PayloadFormat.CBOR))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(DecodeError.TOO_LARGE));
    }

    private void assertRefused(FlKind kind, String json, DecodeError reason) {
        assertThatThrownBy(() -> codec.decode(kind, "gh-7", json.getBytes(StandardCharsets.UTF_8), PayloadFormat.JSON))
                .as(json).isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void addressesParse() {
        assertThat(FlAddresses.topic("gh-7", FlKind.UPDATE)).isEqualTo("fl/v1/gh-7/fl/update");
        assertThat(FlAddresses.parseTopic("fl/v1/gh-7/fl/join")).contains(new FlAddresses.FlAddress("gh-7", FlKind.JOIN));
        assertThat(FlAddresses.parseTopic("fl/v1/gh-7/telemetry")).isEmpty();
        assertThat(FlAddresses.parseTopic("fl/v1/g+h/fl/join")).isEmpty();
        assertThat(FlAddresses.parseCoap(List.of("v1", "d", "gh-7", "fl", "chunk")))
                .contains(new FlAddresses.FlAddress("gh-7", FlKind.CHUNK));
        assertThat(FlAddresses.parseCoap(List.of("v1", "d", "gh-7", "fl"))).isEmpty();
    }
}
