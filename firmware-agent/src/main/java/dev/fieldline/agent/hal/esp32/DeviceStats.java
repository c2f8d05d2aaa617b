package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.HalException;

/**
 * Counters of the ESP32 side of the bridge since it booted (STATS reply).
 *
 * @param framesReceived frames that decoded with a good CRC
 * @param crcErrors frames whose CRC did not match
 * @param framingErrors frames that were not COBS or too short
 * @param oversizeFrames frames longer than the protocol allows
 * @param rejected requests answered with an error
 * @param duplicates retransmissions answered from the reply cache (not executed twice)
 * @param pushes READINGS frames sent
 */
public record DeviceStats(long framesReceived, long crcErrors, long framingErrors, long oversizeFrames,
        long rejected, long duplicates, long pushes) {

    static DeviceStats parse(Packet reply) {
        if (reply.length() != 28) {
            throw new HalException(HalException.Reason.GARBAGE,
                    "STATS reply of " + reply.length() + " bytes, expected 28");
        }
        return new DeviceStats(reply.u32(0), reply.u32(4), reply.u32(8), reply.u32(12), reply.u32(16),
                reply.u32(20), reply.u32(24));
    }
}
