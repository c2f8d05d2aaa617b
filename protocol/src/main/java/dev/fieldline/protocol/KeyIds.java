package dev.fieldline.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Key ids of device keys: the first {@value #LENGTH} bytes of SHA-256 over the public key's
 * SubjectPublicKeyInfo DER encoding. The agent and the gateway derive the same id from the same key,
 * so a COSE {@code kid} header names the key without a registry lookup on the device.
 */
public final class KeyIds {
    /** Length of a key id in bytes. */
    public static final int LENGTH = 16;

    private KeyIds() {
    }

    /** The key id of a public key given as SubjectPublicKeyInfo DER. */
    public static byte[] of(byte[] subjectPublicKeyInfo) {
        if (subjectPublicKeyInfo == null || subjectPublicKeyInfo.length == 0) {
            throw new IllegalArgumentException("subjectPublicKeyInfo must not be empty");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo);
            return Arrays.copyOf(digest, LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }

    /** The key id of a public key (its {@code getEncoded()} is the SubjectPublicKeyInfo DER). */
    public static byte[] of(PublicKey key) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (!"X.509".equals(key.getFormat())) {
            throw new IllegalArgumentException("key must encode as X.509 SubjectPublicKeyInfo, was " + key.getFormat());
        }
        return of(key.getEncoded());
    }

    /** Lower-case hex of a key id, as stored and shown by the gateway. */
    public static String hex(byte[] kid) {
        return HexFormat.of().formatHex(kid);
    }
}
