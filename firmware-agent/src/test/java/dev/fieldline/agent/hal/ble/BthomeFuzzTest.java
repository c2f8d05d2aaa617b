package dev.fieldline.agent.hal.ble;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the BTHome decoder, plain and encrypted: for any bytes, only
 * {@link BthomeException} escapes, and what decodes encodes again to service data that decodes to
 * the same measurements and packet id. Inputs in
 * {@code src/test/resources/dev/fieldline/agent/hal/ble/BthomeFuzzTestInputs/bthome}; see
 * docs/testing.md, "Fuzzing".
 */
class BthomeFuzzTest {
    private static final BthomeKey KEY = BthomeKey.ofHex("231d39c1d7cc1ab1aee224cd096db932");
    private static final String ADDRESS = "54:48:E6:8F:80:A5";

    @FuzzTest
    void bthome(byte[] input) {
        BthomePacket packet;
        try {
            packet = (input.length > 0 && (input[0] & 1) != 0) ? BthomeDecoder.decode(input, KEY, ADDRESS) : BthomeDecoder.decode(input);
        } catch (BthomeException refused) {
            return; // the contract: a typed refusal
        }
        BthomeEncoder again = BthomeEncoder.v2();
        packet.packetId().ifPresent(again::packetId);
        packet.measurements().forEach(m -> again.object(m.objectId(), m.raw()));
        BthomePacket decoded = packet.encrypted()
                ? BthomeDecoder.decode(again.encrypted(KEY, ADDRESS, packet.counter().orElseThrow()), KEY, ADDRESS)
                : BthomeDecoder.decode(again.plain());
        assertThat(decoded.measurements()).isEqualTo(packet.measurements());
        assertThat(decoded.packetId()).isEqualTo(packet.packetId());
    }
}
