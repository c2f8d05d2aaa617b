package dev.fieldline.agent.hal.esp32;

import java.util.HexFormat;

/**
 * Splits the bytes from the serial line into packets. Every 0x00 ends a frame; empty frames are
 * skipped. A frame that is too long, not COBS, too short or fails its CRC is reported to the sink as
 * a {@link FrameException} and dropped; decoding goes on with the next byte, so damage never costs
 * more than the frame it hit. Memory is bounded: one buffer of {@value BridgeProtocol#MAX_ENCODED}
 * bytes. Not thread-safe (one reader thread feeds it).
 */
final class FrameDecoder {

    /** Receives what the decoder finds, on the feeding thread. */
    interface Sink {
        void packet(Packet packet);

        void defect(FrameException defect);
    }

    private final byte[] frame = new byte[BridgeProtocol.MAX_ENCODED];
    private final byte[] packet = new byte[BridgeProtocol.MAX_PACKET];
    private int length;
    private int overflow;

    /** Feeds {@code data[offset, offset+count)}. */
    void feed(byte[] data, int offset, int count, Sink sink) {
        for (int i = offset; i < offset + count; i++) {
            byte b = data[i];
            if (b == 0) {
                if (overflow > 0) {
                    sink.defect(new FrameException(FrameException.Defect.OVERSIZE, "frame of "
                            + (BridgeProtocol.MAX_ENCODED + overflow) + " bytes, at most "
                            + BridgeProtocol.MAX_ENCODED));
                } else if (length > 0) {
                    decode(sink);
                }
                length = 0;
                overflow = 0;
            } else if (overflow > 0 || length == frame.length) {
                overflow++;
            } else {
                frame[length++] = b;
            }
        }
    }

    /** Bytes of an unfinished frame waiting for their delimiter. */
    int pending() {
        return length + overflow;
    }

    private void decode(Sink sink) {
        int n = Cobs.decode(frame, 0, length, packet);
        if (n < 0) {
            sink.defect(new FrameException(FrameException.Defect.FRAMING, "not a frame: " + preview()));
            return;
        }
        if (n < BridgeProtocol.OVERHEAD) {
            sink.defect(new FrameException(FrameException.Defect.FRAMING,
                    "frame of " + n + " bytes, at least " + BridgeProtocol.OVERHEAD + ": " + preview()));
            return;
        }
        int crc = Crc16.of(packet, 0, n - 2);
        int got = (packet[n - 2] & 0xFF) | (packet[n - 1] & 0xFF) << 8;
        if (crc != got) {
            sink.defect(new FrameException(FrameException.Defect.CRC,
                    String.format("CRC 0x%04x, computed 0x%04x: %s", got, crc, preview())));
            return;
        }
        byte[] payload = new byte[n - BridgeProtocol.OVERHEAD];
        System.arraycopy(packet, 3, payload, 0, payload.length);
        sink.packet(new Packet(packet[0] & 0xFF, (packet[1] & 0xFF) | (packet[2] & 0xFF) << 8, payload));
    }

    private String preview() {
        int n = Math.min(length, 16);
        return HexFormat.of().formatHex(frame, 0, n) + (length > n ? "... (" + length + " bytes)" : "");
    }
}
