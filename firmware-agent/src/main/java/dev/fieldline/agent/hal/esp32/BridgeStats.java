package dev.fieldline.agent.hal.esp32;

/**
 * Counters of the host side of the bridge since the board was opened.
 *
 * @param framesReceived frames that decoded with a good CRC
 * @param crcErrors frames whose CRC did not match
 * @param framingErrors frames that were not COBS or too short (text, noise, cut-off frames)
 * @param oversizeFrames frames longer than the protocol allows
 * @param strayReplies replies that matched no waiting request (late answers to retransmissions)
 * @param requests requests sent (not counting retransmissions)
 * @param retransmissions requests sent again after a timeout, with the same id
 * @param timeouts requests that got no answer after all retransmissions
 * @param errorReplies requests the ESP32 refused
 * @param syncs handshakes completed (the first, and one per re-synchronisation)
 * @param reconnects times the port was opened again after it went away
 * @param pushes READINGS frames received
 * @param pushesMissed READINGS frames lost on the way (gaps in their sequence numbers)
 */
public record BridgeStats(long framesReceived, long crcErrors, long framingErrors, long oversizeFrames,
        long strayReplies, long requests, long retransmissions, long timeouts, long errorReplies, long syncs,
        long reconnects, long pushes, long pushesMissed) {

    /** Frames that could not be decoded, of any kind. */
    public long badFrames() {
        return crcErrors + framingErrors + oversizeFrames;
    }
}
