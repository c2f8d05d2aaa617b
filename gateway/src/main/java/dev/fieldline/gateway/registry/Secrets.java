package dev.fieldline.gateway.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Random tokens and their stored form. Every token is 32 random bytes (base64url text, 43
 * characters); only SHA-256 over the token text is stored. A plain, unsalted hash is right here:
 * with 256 bits of entropy there is nothing to guess, so a slow password hash would add only cost.
 * Hashes are compared with {@link MessageDigest#isEqual}, whose time does not depend on where the
 * inputs differ.
 */
public final class Secrets {
    /** Random bytes in every token. */
    public static final int TOKEN_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A new random token. */
    public static String newToken() {
        byte[] b = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** SHA-256 over the UTF-8 text of a token. */
    public static byte[] hash(String token) {
        return hash(token.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 over a token's bytes (an MQTT password arrives as bytes). */
    public static byte[] hash(byte[] token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }

    /** Constant-time comparison of two hashes. */
    public static boolean sameHash(byte[] a, byte[] b) {
        return a != null && b != null && MessageDigest.isEqual(a, b);
    }
}
