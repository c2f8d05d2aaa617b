package dev.fieldline.agent.hal.ble;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-CCM (RFC 3610) without associated data, as BTHome v2 uses it: 13-byte nonce (so a 2-byte
 * length field), 4-byte tag. The JDK has no CCM mode; this builds it from single AES block
 * encryptions (counter mode for the data, CBC-MAC for the tag).
 */
final class AesCcm {
    static final int NONCE_LENGTH = 13;
    static final int TAG_LENGTH = 4;
    private static final int LENGTH_FIELD = 15 - NONCE_LENGTH;
    private static final int MAX_DATA = 0xFFFF;

    private final Cipher aes;

    AesCcm(byte[] key) {
        if (key.length != 16) {
            throw new IllegalArgumentException("an AES-128 key has 16 bytes, this one " + key.length);
        }
        try {
            aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES", e);
        }
    }

    /** Ciphertext followed by the tag. */
    byte[] seal(byte[] nonce, byte[] plaintext) {
        check(nonce, plaintext.length);
        byte[] tag = cbcMac(nonce, plaintext);
        byte[] out = new byte[plaintext.length + TAG_LENGTH];
        ctr(nonce, plaintext, out);
        byte[] s0 = block(counterBlock(nonce, 0));
        for (int i = 0; i < TAG_LENGTH; i++) {
            out[plaintext.length + i] = (byte) (tag[i] ^ s0[i]);
        }
        return out;
    }

    /** The plaintext, or empty when the tag does not verify. */
    Optional<byte[]> open(byte[] nonce, byte[] ciphertext, byte[] tag) {
        check(nonce, ciphertext.length);
        if (tag.length != TAG_LENGTH) {
            throw new IllegalArgumentException("the tag has " + TAG_LENGTH + " bytes, this one " + tag.length);
        }
        byte[] plain = new byte[ciphertext.length];
        ctr(nonce, ciphertext, plain);
        byte[] expected = cbcMac(nonce, plain);
        byte[] s0 = block(counterBlock(nonce, 0));
        byte[] received = new byte[TAG_LENGTH];
        for (int i = 0; i < TAG_LENGTH; i++) {
            received[i] = (byte) (tag[i] ^ s0[i]);
        }
        return MessageDigest.isEqual(received, Arrays.copyOf(expected, TAG_LENGTH)) ? Optional.of(plain) : Optional.empty();
    }

    private static void check(byte[] nonce, int length) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("the nonce has " + NONCE_LENGTH + " bytes, this one " + nonce.length);
        }
        if (length > MAX_DATA) {
            throw new IllegalArgumentException("CCM with a 2-byte length field carries at most " + MAX_DATA + " bytes");
        }
    }

    private byte[] cbcMac(byte[] nonce, byte[] plain) {
        byte[] b0 = new byte[16];
        b0[0] = (byte) (8 * ((TAG_LENGTH - 2) / 2) + (LENGTH_FIELD - 1));
        System.arraycopy(nonce, 0, b0, 1, NONCE_LENGTH);
        b0[14] = (byte) (plain.length >>> 8);
        b0[15] = (byte) plain.length;
        byte[] x = block(b0);
        for (int off = 0; off < plain.length; off += 16) {
            for (int i = 0; i < 16 && off + i < plain.length; i++) {
                x[i] ^= plain[off + i];
            }
            x = block(x);
        }
        return x;
    }

    /** XORs {@code in} with the key stream S1, S2, … into {@code out} (which may be longer). */
    private void ctr(byte[] nonce, byte[] in, byte[] out) {
        for (int off = 0, counter = 1; off < in.length; off += 16, counter++) {
            byte[] s = block(counterBlock(nonce, counter));
            for (int i = 0; i < 16 && off + i < in.length; i++) {
                out[off + i] = (byte) (in[off + i] ^ s[i]);
            }
        }
    }

    private static byte[] counterBlock(byte[] nonce, int counter) {
        byte[] a = new byte[16];
        a[0] = (byte) (LENGTH_FIELD - 1);
        System.arraycopy(nonce, 0, a, 1, NONCE_LENGTH);
        a[14] = (byte) (counter >>> 8);
        a[15] = (byte) counter;
        return a;
    }

    private byte[] block(byte[] in) {
        try {
            return aes.doFinal(in);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES block encryption failed", e);
        }
    }
}
