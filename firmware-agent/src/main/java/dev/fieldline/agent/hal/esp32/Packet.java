package dev.fieldline.agent.hal.esp32;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One packet of the bridge protocol: a kind, a request id (0 for what the ESP32 sends unasked) and
 * a payload of at most {@value BridgeProtocol#MAX_PAYLOAD} bytes. On the wire:
 * {@code 00 COBS(kind, id LE16, payload, CRC-16 LE16) 00}.
 */
record Packet(int kind, int id, byte[] payload) {

    Packet {
        if (kind < 0 || kind > 0xFF) {
            throw new IllegalArgumentException("kind must be 0..255, was " + kind);
        }
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("id must be 0..65535, was " + id);
        }
        if (payload.length > BridgeProtocol.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload must be at most " + BridgeProtocol.MAX_PAYLOAD
                    + " bytes, was " + payload.length);
        }
        payload = payload.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    int length() {
        return payload.length;
    }

    /** Payload byte {@code i}, unsigned. */
    int u8(int i) {
        return payload[i] & 0xFF;
    }

    /** Little-endian unsigned 16 bits at {@code i}. */
    int u16(int i) {
        return (payload[i] & 0xFF) | (payload[i + 1] & 0xFF) << 8;
    }

    /** Little-endian unsigned 32 bits at {@code i}. */
    long u32(int i) {
        return (u16(i) | (long) u16(i + 2) << 16) & 0xFFFF_FFFFL;
    }

    /** The packet before COBS: kind, id, payload, CRC. */
    byte[] toPacketBytes() {
        int n = payload.length;
        byte[] p = new byte[n + BridgeProtocol.OVERHEAD];
        p[0] = (byte) kind;
        p[1] = (byte) id;
        p[2] = (byte) (id >> 8);
        System.arraycopy(payload, 0, p, 3, n);
        int crc = Crc16.of(p, 0, n + 3);
        p[n + 3] = (byte) crc;
        p[n + 4] = (byte) (crc >> 8);
        return p;
    }

    /** The bytes on the wire: 0x00, COBS(packet), 0x00. */
    byte[] toWire() {
        byte[] p = toPacketBytes();
        byte[] out = new byte[Cobs.maxEncodedLength(p.length) + 2];
        int n = Cobs.encode(p, 0, p.length, out, 1);
        return Arrays.copyOf(out, n + 2);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && p.kind == kind && p.id == id && Arrays.equals(p.payload, payload);
    }

    @Override
    public int hashCode() {
        return (kind * 31 + id) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return BridgeProtocol.name(kind) + " #" + id + " [" + HexFormat.of().formatHex(payload) + "]";
    }
}
