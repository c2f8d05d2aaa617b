package dev.fieldline.agent.hal.esp32;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.agent.hal.HalException;

/**
 * Coverage-guided fuzzing (Jazzer) of the bridge's frame decoder and the INFO parser, fed as the
 * serial line would feed them (in pieces of any size). The contract: nothing escapes but the typed
 * defects handed to the sink ({@link FrameException}, reason GARBAGE) and GARBAGE from the INFO
 * parser; whatever decodes encodes again to a frame that decodes to an equal packet; memory stays
 * bounded. Inputs in {@code src/test/resources/dev/fieldline/agent/hal/esp32/FrameDecoderFuzzTestInputs/frames};
 * see docs/testing.md, "Fuzzing".
 */
class FrameDecoderFuzzTest {

    @FuzzTest
    void frames(byte[] input) {
        FrameDecoder decoder = new FrameDecoder();
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void packet(Packet packet) {
                FrameVectorsTest.Decoded again = FrameVectorsTest.decode(packet.toWire());
                if (!again.defects().isEmpty() || !again.packets().equals(java.util.List.of(packet))) {
                    throw new AssertionError("re-encoded " + packet + " decodes to " + again);
                }
                if (packet.kind() == (BridgeProtocol.INFO | BridgeProtocol.REPLY)) {
                    try {
                        BridgeInfo.parse(packet);
                    } catch (HalException e) {
                        if (e.reason() != HalException.Reason.GARBAGE) {
                            throw e;
                        }
                    }
                }
            }

            @Override
            public void defect(FrameException defect) {
                if (defect.reason() != HalException.Reason.GARBAGE) {
                    throw new AssertionError("defect with reason " + defect.reason());
                }
            }
        };
        // the first byte picks the size of the pieces the line delivers
        int piece = input.length == 0 ? 1 : (input[0] & 0x3F) + 1;
        for (int i = 1; i < input.length; i += piece) {
            decoder.feed(input, i, Math.min(piece, input.length - i), sink);
            if (decoder.pending() > BridgeProtocol.MAX_ENCODED + input.length) {
                throw new AssertionError("unbounded buffer");
            }
        }
    }
}
