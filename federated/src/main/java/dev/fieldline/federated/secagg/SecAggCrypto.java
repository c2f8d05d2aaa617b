package dev.fieldline.federated.secagg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives of the protocol, all from the JDK: X25519 key agreement, HKDF-SHA256 (RFC 5869),
 * AES-256-GCM for the shares, and AES-256-CTR as the mask generator.
 */
final class SecAggCrypto {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;

    private static final byte[] MASK_INFO = "fieldline-secagg/v1/mask".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHARE_KEY_INFO = "fieldline-secagg/v1/share-key".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHARE_AAD = "fieldline-secagg/v1/share".getBytes(StandardCharsets.US_ASCII);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int PRG_CHUNK = 1 << 16;
    /** The X25519 base point, u = 9: agreeing with it gives a private key's public key. */
    private static final byte[] BASE_POINT = basePoint();

    private SecAggCrypto() {
    }

    private static byte[] basePoint() {
        byte[] u = new byte[KEY_BYTES];
        u[0] = 9;
        return u;
    }

    static KeyPair x25519(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            g.initialize(NamedParameterSpec.X25519, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw missing("X25519", e);
        }
    }

    /** The 32-byte little-endian u-coordinate (RFC 7748). */
    static byte[] publicBytes(PublicKey key) {
        BigInteger u = ((XECPublicKey) key).getU();
        byte[] be = Shamir.toBytes(u, KEY_BYTES);
        return reverse(be);
    }

    static PublicKey publicKey(byte[] littleEndianU) {
        byte[] be = reverse(littleEndianU.clone());
        be[0] &= 0x7f; // RFC 7748: the top bit is ignored
        try {
            return KeyFactory.getInstance("X25519")
                    .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(1, be)));
        } catch (GeneralSecurityException e) {
            throw new SecAggException(SecAggException.Reason.PROTOCOL, "not an X25519 public key", e);
        }
    }

    static byte[] privateBytes(PrivateKey key) {
        return ((XECPrivateKey) key).getScalar()
                .orElseThrow(() -> new SecAggException(SecAggException.Reason.CRYPTO, "X25519 private key hides its scalar"));
    }

    static PrivateKey privateKey(byte[] scalar) {
        try {
            return KeyFactory.getInstance("X25519")
                    .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
        } catch (GeneralSecurityException e) {
            throw missing("X25519", e);
        }
    }

    /** X25519(private, public); refuses a public key of small order (all-zero result). */
    static byte[] agree(PrivateKey own, PublicKey peer) {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(own);
            ka.doPhase(peer, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw new SecAggException(SecAggException.Reason.PROTOCOL, "X25519 agreement refused the peer's key: "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw missing("X25519", e);
        }
    }

    /** The public key (32 bytes) of an X25519 private scalar. */
    static byte[] publicOf(PrivateKey key) {
        return agree(key, publicKey(BASE_POINT));
    }

    /** HKDF-SHA256 with a 32-byte output. */
    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[32] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw missing("HmacSHA256", e);
        }
    }

    static byte[] sessionSalt(long session) {
        byte[] s = new byte[8];
        for (int i = 0; i < 8; i++) {
            s[i] = (byte) (session >>> (56 - 8 * i));
        }
        return s;
    }

    private static byte[] pairInfo(byte[] label, int u, int v) {
        int lo = Math.min(u, v);
        int hi = Math.max(u, v);
        byte[] info = Arrays.copyOf(label, label.length + 4);
        info[label.length] = (byte) (lo >>> 8);
        info[label.length + 1] = (byte) lo;
        info[label.length + 2] = (byte) (hi >>> 8);
        info[label.length + 3] = (byte) hi;
        return info;
    }

    /** The seed of the pairwise mask of u and v (the same for both) from their agreed s-key secret. */
    static byte[] maskSeed(byte[] agreed, long session, int u, int v) {
        return hkdf(agreed, sessionSalt(session), pairInfo(MASK_INFO, u, v));
    }

    /** The AES key of the shares exchanged between u and v from their agreed c-key secret. */
    static byte[] shareKey(byte[] agreed, long session, int u, int v) {
        return hkdf(agreed, sessionSalt(session), pairInfo(SHARE_KEY_INFO, u, v));
    }

    /** Associated data of a share sent by {@code from} to {@code to}: label, session, sender, recipient, round. */
    static byte[] shareAad(long session, int from, int to) {
        byte[] aad = Arrays.copyOf(SHARE_AAD, SHARE_AAD.length + 8 + 5);
        System.arraycopy(sessionSalt(session), 0, aad, SHARE_AAD.length, 8);
        int o = SHARE_AAD.length + 8;
        aad[o] = (byte) (from >>> 8);
        aad[o + 1] = (byte) from;
        aad[o + 2] = (byte) (to >>> 8);
        aad[o + 3] = (byte) to;
        aad[o + 4] = 1; // ShareKeys is round 1
        return aad;
    }

    /** nonce ‖ AES-256-GCM(plaintext) ‖ tag, with a random nonce. */
    static byte[] seal(byte[] key, byte[] aad, byte[] plaintext, SecureRandom random) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(aad);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + plaintext.length + TAG_BYTES);
            c.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw missing("AES/GCM/NoPadding", e);
        }
    }

    /** The plaintext of {@link #seal}'s output, or {@link SecAggException.Reason#TAMPERED}. */
    static byte[] open(byte[] key, byte[] aad, byte[] sealed) {
        if (sealed.length < NONCE_BYTES + TAG_BYTES) {
            throw new SecAggException(SecAggException.Reason.TAMPERED, "ciphertext of " + sealed.length + " bytes");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, NONCE_BYTES));
            c.updateAAD(aad);
            return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new SecAggException(SecAggException.Reason.TAMPERED, "an encrypted share failed authentication", e);
        } catch (GeneralSecurityException e) {
            throw missing("AES/GCM/NoPadding", e);
        }
    }

    /**
     * Adds (or subtracts) the mask PRG(seed) to {@code acc}, mod 2^bits: AES-256-CTR keyed by the seed
     * from a zero counter, each coordinate taken from bits/8 little-endian bytes of the key stream.
     */
    static void addPrg(byte[] seed, long[] acc, int bits, boolean subtract) {
        int width = bits / 8;
        long mask = (1L << bits) - 1;
        try {
            Cipher c = Cipher.getInstance("AES/CTR/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            int perChunk = Math.min(PRG_CHUNK / width, acc.length);
            byte[] zeros = new byte[perChunk * width];
            byte[] stream = new byte[perChunk * width + 8];
            for (int start = 0; start < acc.length; start += perChunk) {
                int count = Math.min(perChunk, acc.length - start);
                c.update(zeros, 0, count * width, stream, 0);
                for (int i = 0; i < count; i++) {
                    long m = (long) LONG_LE.get(stream, i * width) & mask;
                    int j = start + i;
                    acc[j] = (subtract ? acc[j] - m : acc[j] + m) & mask;
                }
            }
        } catch (GeneralSecurityException e) {
            throw missing("AES/CTR/NoPadding", e);
        }
    }

    private static byte[] reverse(byte[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            byte t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private static SecAggException missing(String algorithm, Exception e) {
        return new SecAggException(SecAggException.Reason.CRYPTO, algorithm + " failed: " + e.getMessage(), e);
    }
}
