package dev.fieldline.agent.hal.ble;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * Test fixture: builds BTHome v2 service data (the bytes after the UUID) as a sensor would, plain
 * or encrypted with the receiver's AES-CCM.
 */
final class BthomeEncoder {
    private final ByteArrayOutputStream objects = new ByteArrayOutputStream();
    private int deviceInfo = 0x40;

    static BthomeEncoder v2() {
        return new BthomeEncoder();
    }

    BthomeEncoder triggerBased() {
        deviceInfo |= 0x04;
        return this;
    }

    BthomeEncoder packetId(int id) {
        return object(0x00, id);
    }

    BthomeEncoder temperature(double celsius) {
        return object(0x02, Math.round(celsius * 100));
    }

    BthomeEncoder humidity(double percent) {
        return object(0x03, Math.round(percent * 100));
    }

    BthomeEncoder battery(int percent) {
        return object(0x01, percent);
    }

    /** An object with the table's length for {@code id}, value little-endian. */
    BthomeEncoder object(int id, long raw) {
        int length = BthomeObjects.spec(id).orElseThrow().length();
        objects.write(id);
        for (int i = 0; i < length; i++) {
            objects.write((int) (raw >>> (8 * i)));
        }
        return this;
    }

    /** Bytes as they are, e.g. an object the table does not know. */
    BthomeEncoder raw(String hex) {
        objects.writeBytes(HexFormat.of().parseHex(hex));
        return this;
    }

    byte[] plain() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(deviceInfo);
        out.writeBytes(objects.toByteArray());
        return out.toByteArray();
    }

    byte[] encrypted(BthomeKey key, String address, long counter) {
        int info = deviceInfo | 0x01;
        byte[] c = {(byte) counter, (byte) (counter >>> 8), (byte) (counter >>> 16), (byte) (counter >>> 24)};
        byte[] sealed = new AesCcm(key.bytes()).seal(BthomeDecoder.nonce(address, info, c), objects.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(info);
        out.write(sealed, 0, sealed.length - AesCcm.TAG_LENGTH);
        out.writeBytes(c);
        out.write(sealed, sealed.length - AesCcm.TAG_LENGTH, AesCcm.TAG_LENGTH);
        return out.toByteArray();
    }
}
