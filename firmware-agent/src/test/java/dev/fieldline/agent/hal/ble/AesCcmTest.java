package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CCMBlockCipher;
import org.bouncycastle.crypto.modes.CCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.junit.jupiter.api.Test;

/** The hand-built AES-CCM against Bouncy Castle's CCM, byte for byte, over lengths 0..80. */
class AesCcmTest {

    @Test
    void sealsAsBouncyCastleDoesAndOpensWhatItSeals() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length <= 80; length++) {
            byte[] key = new byte[16];
            byte[] nonce = new byte[AesCcm.NONCE_LENGTH];
            byte[] plain = new byte[length];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(plain);

            CCMModeCipher bc = CCMBlockCipher.newInstance(AESEngine.newInstance());
            bc.init(true, new AEADParameters(new KeyParameter(key), 8 * AesCcm.TAG_LENGTH, nonce));
            byte[] expected = new byte[bc.getOutputSize(length)];
            bc.doFinal(expected, bc.processBytes(plain, 0, length, expected, 0));

            byte[] sealed = new AesCcm(key).seal(nonce, plain);

            assertThat(sealed).as("length %d", length).isEqualTo(expected);
            byte[] ciphertext = Arrays.copyOf(sealed, length);
            byte[] tag = Arrays.copyOfRange(sealed, length, sealed.length);
            assertThat(new AesCcm(key).open(nonce, ciphertext, tag)).hasValueSatisfying(p -> assertThat(p).isEqualTo(plain));
            tag[0] ^= 1;
            assertThat(new AesCcm(key).open(nonce, ciphertext, tag)).isEmpty();
        }
    }
}
