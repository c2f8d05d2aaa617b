package dev.fieldline.protocol;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The DTLS pre-shared key of an enrolled device, derived from the device token it received at
 * enrollment: HMAC-SHA256(key = UTF-8 of the token, message = {@value #LABEL}). The PSK identity is
 * the device id. The agent derives it from its credentials, the gateway keeps it from enrollment
 * (it stores only a hash of the token itself), so neither ever sends it.
 */
public final class DevicePsk {
    /** Domain-separation label of the derivation. */
    public static final String LABEL = "fieldline dtls psk v1";
    /** PSK length in bytes. */
    public static final int LENGTH = 32;

    private DevicePsk() {
    }

    /** The 32-byte PSK for a device token. */
    public static byte[] derive(String deviceToken) {
        if (deviceToken == null || deviceToken.isEmpty()) {
            throw new IllegalArgumentException("deviceToken must not be empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(deviceToken.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(LABEL.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JRE", e);
        }
    }
}
