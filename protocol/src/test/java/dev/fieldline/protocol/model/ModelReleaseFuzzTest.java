package dev.fieldline.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.cose.CoseKeys;
import java.security.KeyPair;

/**
 * Fuzzing (Jazzer) of the release manifest decoder and the signed-manifest check: only
 * {@link DecodeException} (manifest) and {@link ModelDeliveryException} (signed manifest) escape, and
 * a manifest that parses writes back to bytes that parse to an equal value. Without
 * {@code JAZZER_FUZZ} each target runs over its committed inputs.
 */
class ModelReleaseFuzzTest {
    private static final KeyPair KEY = CoseKeys.generate();

    @FuzzTest
    void manifest(byte[] input) {
        ModelRelease r;
        try {
            r = ModelRelease.parse(input);
        } catch (DecodeException refused) {
            return;
        }
        byte[] again;
        try {
            again = r.toJson();
        } catch (IllegalArgumentException tooLarge) {
            return; // a manifest within the parser's limit that grows past it when rewritten (long number forms)
        }
        assertThat(ModelRelease.parse(again)).isEqualTo(r);
    }

    @FuzzTest
    void signedManifest(byte[] input) {
        try {
            SignedRelease.verify(input, KEY.getPublic());
        } catch (ModelDeliveryException refused) {
            assertThat(refused.reason()).isIn(ModelDeliveryException.Reason.MALFORMED, ModelDeliveryException.Reason.WRONG_KEY,
                    ModelDeliveryException.Reason.BAD_SIGNATURE);
        }
    }
}
