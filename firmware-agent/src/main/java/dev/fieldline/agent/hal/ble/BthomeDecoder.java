package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.hal.ble.BthomeException.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Strict decoder of BTHome v2 service data (UUID 0xFCD2): the bytes after the UUID, as BlueZ
 * reports them in a device's {@code ServiceData}. Refusals are {@link BthomeException}s; nothing
 * else escapes for any input.
 *
 * <p>Layout: a device information byte (bit 0 encryption, bit 2 trigger-based, bits 5–7 version =
 * 2), then objects (an id byte and a value of the id's length, little-endian). An encrypted
 * advertisement carries AES-CCM ciphertext of the objects, a 4-byte counter and a 4-byte MIC; the
 * nonce is the device address, the UUID, the device information byte and the counter.
 */
public final class BthomeDecoder {
    /** The most service data one advertising structure can hold (255 − type − 16-bit UUID). */
    public static final int MAX_SERVICE_DATA = 252;
    static final int VERSION = 2;
    private static final int COUNTER_LENGTH = 4;

    private BthomeDecoder() {
    }

    /**
     * Decodes an unencrypted advertisement.
     *
     * @throws BthomeException when it is malformed, of another version, or encrypted
     */
    public static BthomePacket decode(byte[] serviceData) {
        int info = deviceInfo(serviceData);
        if (encrypted(info)) {
            throw new BthomeException(Problem.ENCRYPTED, "the advertisement is encrypted and no key is configured for the device");
        }
        return objects(info, serviceData, 1, serviceData.length, OptionalLong.empty());
    }

    /**
     * Decrypts and decodes an encrypted advertisement from {@code address}.
     *
     * @throws BthomeException when it is malformed, of another version, not encrypted, or does not verify
     */
    public static BthomePacket decode(byte[] serviceData, BthomeKey key, String address) {
        int info = deviceInfo(serviceData);
        if (!encrypted(info)) {
            throw new BthomeException(Problem.NOT_ENCRYPTED, "a key is configured for " + address
                    + " but the advertisement is not encrypted");
        }
        int n = serviceData.length;
        if (n < 1 + COUNTER_LENGTH + AesCcm.TAG_LENGTH) {
            throw new BthomeException(Problem.TRUNCATED, n + " bytes cannot hold the device info byte, a counter and a MIC (9 or more)");
        }
        byte[] ciphertext = slice(serviceData, 1, n - COUNTER_LENGTH - AesCcm.TAG_LENGTH);
        byte[] counter = slice(serviceData, n - COUNTER_LENGTH - AesCcm.TAG_LENGTH, n - AesCcm.TAG_LENGTH);
        byte[] mic = slice(serviceData, n - AesCcm.TAG_LENGTH, n);
        byte[] plain = new AesCcm(key.bytes()).open(nonce(address, info, counter), ciphertext, mic)
                .orElseThrow(() -> new BthomeException(Problem.AUTHENTICATION_FAILED,
                        "the MIC does not verify for " + address + " (wrong key, or altered data)"));
        return objects(info, plain, 0, plain.length, OptionalLong.of(unsigned(counter, 0, COUNTER_LENGTH)));
    }

    /** The AES-CCM nonce: address (6 bytes as written), UUID (0xD2 0xFC), device info, counter (little-endian). */
    static byte[] nonce(String address, int deviceInfo, byte[] counter) {
        String a = DeviceMatch.normaliseAddress(address);
        byte[] nonce = new byte[AesCcm.NONCE_LENGTH];
        for (int i = 0; i < 6; i++) {
            nonce[i] = (byte) Integer.parseInt(a.substring(3 * i, 3 * i + 2), 16);
        }
        nonce[6] = (byte) 0xD2;
        nonce[7] = (byte) 0xFC;
        nonce[8] = (byte) deviceInfo;
        System.arraycopy(counter, 0, nonce, 9, COUNTER_LENGTH);
        return nonce;
    }

    private static int deviceInfo(byte[] data) {
        if (data == null || data.length == 0) {
            throw new BthomeException(Problem.TRUNCATED, "no device information byte");
        }
        if (data.length > MAX_SERVICE_DATA) {
            throw new BthomeException(Problem.TOO_LONG, data.length + " bytes, more than the " + MAX_SERVICE_DATA
                    + " one advertisement can carry");
        }
        int info = data[0] & 0xFF;
        int version = info >>> 5;
        if (version != VERSION) {
            throw new BthomeException(Problem.UNSUPPORTED_VERSION, "device info byte 0x" + hex(info) + " says version "
                    + version + "; this receiver reads version " + VERSION);
        }
        return info;
    }

    private static boolean encrypted(int info) {
        return (info & 0x01) != 0;
    }

    private static BthomePacket objects(int info, byte[] data, int from, int to, OptionalLong counter) {
        List<BthomeMeasurement> measurements = new ArrayList<>();
        List<Integer> skipped = new ArrayList<>();
        OptionalInt packetId = OptionalInt.empty();
        OptionalInt unknown = OptionalInt.empty();
        int i = from;
        while (i < to) {
            int id = data[i] & 0xFF;
            var spec = BthomeObjects.spec(id);
            if (spec.isEmpty()) {
                unknown = OptionalInt.of(id);
                break;
            }
            int start = i + 1;
            int length = spec.get().length();
            if (length == BthomeObjects.VARIABLE) {
                if (start >= to) {
                    throw new BthomeException(Problem.TRUNCATED, "object 0x" + hex(id) + " at offset " + i + " has no length byte");
                }
                length = data[start] & 0xFF;
                start++;
            }
            if (start + length > to) {
                throw new BthomeException(Problem.TRUNCATED, "object 0x" + hex(id) + " at offset " + i + " needs " + length
                        + " bytes, " + (to - start) + " left");
            }
            if (id == 0x00) {
                if (packetId.isEmpty()) {
                    packetId = OptionalInt.of(data[start] & 0xFF);
                }
            } else if (spec.get().interpreted()) {
                long raw = spec.get().signed() ? signed(data, start, length) : unsigned(data, start, length);
                measurements.add(new BthomeMeasurement(id, spec.get().name(), raw, spec.get().scale(raw), spec.get().unit()));
            } else {
                skipped.add(id);
            }
            i = start + length;
        }
        return new BthomePacket(info, encrypted(info), (info & 0x04) != 0, packetId, counter, measurements, skipped, unknown);
    }

    static long unsigned(byte[] data, int from, int length) {
        long v = 0;
        for (int k = length - 1; k >= 0; k--) {
            v = (v << 8) | (data[from + k] & 0xFF);
        }
        return v;
    }

    static long signed(byte[] data, int from, int length) {
        long v = unsigned(data, from, length);
        int bits = 8 * length;
        return bits >= 64 ? v : (v << (64 - bits)) >> (64 - bits);
    }

    private static byte[] slice(byte[] data, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(data, from, out, 0, out.length);
        return out;
    }

    private static String hex(int b) {
        return String.format(Locale.ROOT, "%02X", b);
    }
}
