package dev.fieldline.protocol.cose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.KeyIds;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CoseKeysTest {
    @Test
    void uncompressedPointAndSpkiRoundTrip() {
        for (int i = 0; i < 32; i++) { // coordinates with leading zero bytes come up in 32 keys with p ≈ 1/8
            PublicKey key = CoseKeys.generate().getPublic();
            byte[] point = CoseKeys.uncompressedPoint(key);
            assertThat(point).hasSize(65);
            assertThat(point[0]).isEqualTo((byte) 0x04);
            assertThat(CoseKeys.fromUncompressedPoint(point)).isEqualTo(key);
            assertThat(CoseKeys.fromSubjectPublicKeyInfo(key.getEncoded())).isEqualTo(key);
        }
    }

    @Test
    void kidIsTheFirst16BytesOfSha256OverTheSpki() throws Exception {
        PublicKey key = CoseKeys.generate().getPublic();
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());

        assertThat(KeyIds.of(key)).isEqualTo(Arrays.copyOf(sha, 16));
    }

    @Test
    void pointsOffTheCurveAndOtherKeysAreRefused() throws Exception {
        byte[] point = CoseKeys.uncompressedPoint(CoseKeys.generate().getPublic());
        point[64] ^= 1;
        assertThatThrownBy(() -> CoseKeys.fromUncompressedPoint(point)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not on P-256");
        assertThatThrownBy(() -> CoseKeys.fromUncompressedPoint(new byte[64])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("point");

        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(384);
        KeyPair p384 = g.generateKeyPair();
        assertThat(CoseKeys.isP256(p384.getPublic())).isFalse();
        assertThatThrownBy(() -> CoseKeys.fromSubjectPublicKeyInfo(p384.getPublic().getEncoded()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> CoseKeys.fromSubjectPublicKeyInfo(new byte[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("der");
    }
}
