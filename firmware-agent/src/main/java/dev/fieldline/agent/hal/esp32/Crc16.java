package dev.fieldline.agent.hal.esp32;

/**
 * CRC-16/IBM-3740 (also called CRC-16/CCITT-FALSE): polynomial 0x1021, initial value 0xFFFF, not
 * reflected, no final XOR. Check value for the ASCII bytes {@code 123456789}: 0x29B1.
 */
final class Crc16 {
    private static final int[] TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i << 8;
            for (int k = 0; k < 8; k++) {
                c = (c & 0x8000) != 0 ? (c << 1) ^ 0x1021 : c << 1;
            }
            TABLE[i] = c & 0xFFFF;
        }
    }

    private Crc16() {
    }

    static int of(byte[] data, int offset, int length) {
        int crc = 0xFFFF;
        for (int i = offset; i < offset + length; i++) {
            crc = ((crc << 8) & 0xFF00) ^ TABLE[((crc >> 8) ^ data[i]) & 0xFF];
        }
        return crc;
    }
}
