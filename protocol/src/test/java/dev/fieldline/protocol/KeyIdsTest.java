package dev.fieldline.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KeyIdsTest {

    private static PublicKey newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPublic();
    }

    @Test
    void kidIsTheFirstSixteenBytesOfSha256OverTheSpki() throws Exception {
        PublicKey key = newKey();
        byte[] expected = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()), 16);
        assertThat(KeyIds.of(key)).hasSize(KeyIds.LENGTH).isEqualTo(expected).isEqualTo(KeyIds.of(key.getEncoded()));
        assertThat(KeyIds.hex(KeyIds.of(key))).hasSize(32).matches("[0-9a-f]+");
    }

    @Test
    void differentKeysHaveDifferentIds() throws Exception {
        assertThat(KeyIds.of(newKey())).isNotEqualTo(KeyIds.of(newKey()));
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> KeyIds.of(new byte[0])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("subjectPublicKeyInfo");
    }
}
