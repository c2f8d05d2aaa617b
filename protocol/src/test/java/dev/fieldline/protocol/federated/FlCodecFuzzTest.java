package dev.fieldline.protocol.federated;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.PayloadFormat;

/**
 * Jazzer over every federated decoder: only {@link DecodeException} escapes, and whatever decodes
 * encodes to bytes that decode to an equal value. Without {@code JAZZER_FUZZ} it runs over the
 * committed inputs in {@code src/test/resources/.../FlCodecFuzzTestInputs}.
 */
class FlCodecFuzzTest {
    private final FlCodec codec = new FlCodec();

    private void all(byte[] input, PayloadFormat format) {
        for (FlKind kind : FlKind.values()) {
            FlMessage m;
            try {
                m = codec.decode(kind, "gh-7", input, format);
            } catch (DecodeException refused) {
                continue;
            }
            assertThat(codec.decode(kind, "gh-7", codec.encode(m, format), format)).isEqualTo(m);
        }
        UpdateBody b;
        try {
            b = codec.decodeBody(input, format, 2);
        } catch (DecodeException refused) {
            return;
        }
        assertThat(codec.decodeBody(codec.encodeBody(b, format), format, 2)).isEqualTo(b);
    }

    @FuzzTest
    void flCbor(byte[] input) {
        all(input, PayloadFormat.CBOR);
    }

    @FuzzTest
    void flJson(byte[] input) {
        all(input, PayloadFormat.JSON);
    }
}
