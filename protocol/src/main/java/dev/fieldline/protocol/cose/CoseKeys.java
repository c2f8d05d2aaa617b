package dev.fieldline.protocol.cose;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;

/**
 * EC P-256 keys for ES256: generation, the SEC 1 uncompressed point (what COSE_Key's x and y and most
 * libraries exchange) and SubjectPublicKeyInfo DER. The key id of a key is
 * {@link dev.fieldline.protocol.KeyIds#of(PublicKey)}.
 */
public final class CoseKeys {
    /** Length of one P-256 coordinate or scalar in bytes. */
    public static final int COORDINATE_BYTES = 32;

    private static final ECParameterSpec P256 = p256();

    private CoseKeys() {
    }

    private static ECParameterSpec p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return ((ECKey) g.generateKeyPair().getPublic()).getParams();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is missing from this JRE", e);
        }
    }

    /** A fresh P-256 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is missing from this JRE", e);
        }
    }

    /** The order n of P-256's base point. */
    static BigInteger order() {
        return P256.getOrder();
    }

    /** Whether {@code key} is an EC key on P-256. */
    public static boolean isP256(Key key) {
        if (!(key instanceof ECKey ec)) {
            return false;
        }
        ECParameterSpec p = ec.getParams();
        return p.getCurve().equals(P256.getCurve()) && p.getGenerator().equals(P256.getGenerator())
                && p.getOrder().equals(P256.getOrder());
    }

    static void requireP256(Key key, String name) {
        if (key == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (!isP256(key)) {
            throw new IllegalArgumentException(name + " must be an EC P-256 key, was " + key.getAlgorithm());
        }
    }

    /** The SEC 1 uncompressed point: 0x04, x (32 bytes), y (32 bytes). */
    public static byte[] uncompressedPoint(PublicKey key) {
        requireP256(key, "key");
        ECPoint w = ((ECPublicKey) key).getW();
        byte[] out = new byte[1 + 2 * COORDINATE_BYTES];
        out[0] = 0x04;
        unsigned(w.getAffineX(), out, 1);
        unsigned(w.getAffineY(), out, 1 + COORDINATE_BYTES);
        return out;
    }

    /** A P-256 public key from its SEC 1 uncompressed point; the point must be on the curve. */
    public static PublicKey fromUncompressedPoint(byte[] point) {
        if (point == null || point.length != 1 + 2 * COORDINATE_BYTES || point[0] != 0x04) {
            throw new IllegalArgumentException("point must be 65 bytes starting with 0x04");
        }
        BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + COORDINATE_BYTES));
        BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 1 + COORDINATE_BYTES, point.length));
        if (!onCurve(x, y)) {
            throw new IllegalArgumentException("point is not on P-256");
        }
        try {
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(x, y), P256));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("point is not a valid P-256 public key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC is missing from this JRE", e);
        }
    }

    /** y² = x³ + ax + b (mod p), with x and y in [0, p): the JDK does not check this when it builds a key. */
    private static boolean onCurve(BigInteger x, BigInteger y) {
        java.security.spec.ECFieldFp field = (java.security.spec.ECFieldFp) P256.getCurve().getField();
        BigInteger p = field.getP();
        if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        return y.modPow(BigInteger.TWO, p).equals(right);
    }

    /** A P-256 public key from SubjectPublicKeyInfo DER (what {@link PublicKey#getEncoded()} returns). */
    public static PublicKey fromSubjectPublicKeyInfo(byte[] der) {
        if (der == null) {
            throw new IllegalArgumentException("der must not be null");
        }
        PublicKey key;
        try {
            key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        } catch (InvalidKeySpecException e) {
            throw new IllegalArgumentException("der is not an EC SubjectPublicKeyInfo: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC is missing from this JRE", e);
        }
        requireP256(key, "der");
        return key;
    }

    /** Writes {@code v} as a 32-byte unsigned big-endian number at {@code at}. */
    static void unsigned(BigInteger v, byte[] out, int at) {
        byte[] b = v.toByteArray();
        int skip = b.length > COORDINATE_BYTES ? b.length - COORDINATE_BYTES : 0; // a leading sign byte
        int len = b.length - skip;
        System.arraycopy(b, skip, out, at + COORDINATE_BYTES - len, len);
    }
}
