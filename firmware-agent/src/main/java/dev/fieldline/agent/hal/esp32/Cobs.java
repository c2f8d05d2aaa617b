package dev.fieldline.agent.hal.esp32;

/**
 * Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999): removes every 0x00 from a packet so
 * that 0x00 can delimit frames, at a cost of one byte per 254 (plus one).
 */
final class Cobs {
    private Cobs() {
    }

    /** The largest encoding of {@code length} bytes. */
    static int maxEncodedLength(int length) {
        return length + length / 254 + 1;
    }

    /** Encodes {@code src[offset, offset+length)} into {@code dst} at {@code at}; returns the encoded length. */
    static int encode(byte[] src, int offset, int length, byte[] dst, int at) {
        int codeAt = at;
        int o = at + 1;
        int code = 1;
        for (int i = 0; i < length; i++) {
            byte b = src[offset + i];
            if (b != 0) {
                dst[o++] = b;
                code++;
            }
            if (b == 0 || code == 0xFF) {
                dst[codeAt] = (byte) code;
                code = 1;
                codeAt = o;
                if (b == 0 || i + 1 < length) {
                    o++;
                }
            }
        }
        dst[codeAt] = (byte) code;
        return o - at;
    }

    /**
     * Decodes {@code src[offset, offset+length)} (no delimiters) into {@code dst}; returns the decoded
     * length, or -1 when the input is not COBS (a zero byte, a block running past the end) or decodes
     * to more than {@code dst} holds.
     */
    static int decode(byte[] src, int offset, int length, byte[] dst) {
        int i = offset;
        int end = offset + length;
        int o = 0;
        while (i < end) {
            int code = src[i] & 0xFF;
            if (code == 0 || i + code > end) {
                return -1;
            }
            int blockEnd = i + code;
            i++;
            while (i < blockEnd) {
                if (src[i] == 0 || o >= dst.length) {
                    return -1;
                }
                dst[o++] = src[i++];
            }
            if (code != 0xFF && i < end) {
                if (o >= dst.length) {
                    return -1;
                }
                dst[o++] = 0;
            }
        }
        return o;
    }
}
