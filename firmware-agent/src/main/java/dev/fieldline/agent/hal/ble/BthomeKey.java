package dev.fieldline.agent.hal.ble;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A BTHome device's 16-byte AES key (bindkey). Its text form never shows the key.
 */
public final class BthomeKey {
    private final byte[] key;

    private BthomeKey(byte[] key) {
        this.key = key;
    }

    /**
     * From 32 hex digits.
     *
     * @throws IllegalArgumentException saying what is wrong, without echoing the text
     */
    public static BthomeKey ofHex(String hex) {
        if (hex == null || hex.trim().length() != 32) {
            throw new IllegalArgumentException("a BTHome key is 32 hex digits (16 bytes)");
        }
        try {
            return new BthomeKey(HexFormat.of().parseHex(hex.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a BTHome key is 32 hex digits (16 bytes); this one has other characters");
        }
    }

    byte[] bytes() {
        return key.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BthomeKey k && Arrays.equals(key, k.key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return "BthomeKey[redacted]";
    }
}
