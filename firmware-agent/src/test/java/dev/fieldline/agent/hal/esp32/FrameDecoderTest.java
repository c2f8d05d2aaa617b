package dev.fieldline.agent.hal.esp32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.hal.HalException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The frame decoder's size limits, typed defects and recovery. */
class FrameDecoderTest {
    private final List<Packet> packets = new ArrayList<>();
    private final List<FrameException> defects = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder();
    private final FrameDecoder.Sink sink = new FrameDecoder.Sink() {
        @Override
        public void packet(Packet packet) {
            packets.add(packet);
        }

        @Override
        public void defect(FrameException defect) {
            defects.add(defect);
        }
    };

    private void feed(byte[] bytes) {
        decoder.feed(bytes, 0, bytes.length, sink);
    }

    @Test
    void aFrameFedByteByByteDecodesOnceItsDelimiterArrives() {
        byte[] wire = new Packet(BridgeProtocol.ADC_READ | 0x80, 0x1234, new byte[] {(byte) 0xD2, 0x04}).toWire();
        for (int i = 0; i < wire.length - 1; i++) {
            decoder.feed(wire, i, 1, sink);
            assertThat(packets).isEmpty();
        }
        assertThat(decoder.pending()).isEqualTo(wire.length - 2);
        decoder.feed(wire, wire.length - 1, 1, sink);
        assertThat(packets).containsExactly(new Packet(0xA0, 0x1234, new byte[] {(byte) 0xD2, 0x04}));
        assertThat(defects).isEmpty();
    }

    @Test
    void theLargestPacketFitsAndOneByteMoreIsRefused() {
        byte[] payload = new byte[BridgeProtocol.MAX_PAYLOAD];
        Arrays.fill(payload, (byte) 0x5A);
        byte[] wire = new Packet(BridgeProtocol.I2C_WRITE, 7, payload).toWire();
        assertThat(wire.length - 2).isLessThanOrEqualTo(BridgeProtocol.MAX_ENCODED);
        feed(wire);
        assertThat(packets).hasSize(1);
        assertThatThrownBy(() -> new Packet(BridgeProtocol.I2C_WRITE, 7, new byte[BridgeProtocol.MAX_PAYLOAD + 1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 247 bytes");
    }

    @Test
    void anOversizeRunIsOneDefectAndTheNextFrameStillDecodes() {
        byte[] junk = new byte[1000];
        Arrays.fill(junk, (byte) 'A');
        feed(junk);
        assertThat(decoder.pending()).isEqualTo(1000);
        feed(new Packet(BridgeProtocol.PING | 0x80, 9, new byte[0]).toWire());
        assertThat(defects).singleElement().satisfies(d -> {
            assertThat(d.defect()).isEqualTo(FrameException.Defect.OVERSIZE);
            assertThat(d.reason()).isEqualTo(HalException.Reason.GARBAGE);
            assertThat(d.getMessage()).isEqualTo("frame of 1000 bytes, at most 253");
        });
        assertThat(packets).containsExactly(new Packet(0x83, 9, new byte[0]));
    }

    @Test
    void exactlyTheLimitIsNotOversize() {
        byte[] run = new byte[BridgeProtocol.MAX_ENCODED + 2];
        Arrays.fill(run, (byte) 0x01);
        run[0] = 0;
        run[run.length - 1] = 0;
        feed(run);
        // 253 codes of 0x01 decode to 252 zero bytes: a packet of the largest size, with a bad CRC
        assertThat(defects).singleElement().extracting(FrameException::defect).isEqualTo(FrameException.Defect.CRC);
    }

    @Test
    void aFlippedBitIsACrcDefectNamingBothValues() {
        byte[] wire = new Packet(BridgeProtocol.GPIO_READ | 0x80, 0x0505, new byte[] {1}).toWire();
        assertThat(wire[2]).as("the kind, after the delimiter and COBS code").isEqualTo((byte) 0x91);
        wire[2] ^= 0x04;
        feed(wire);
        assertThat(packets).isEmpty();
        assertThat(defects).singleElement().satisfies(d -> {
            assertThat(d.defect()).isEqualTo(FrameException.Defect.CRC);
            assertThat(d.getMessage()).startsWith("CRC 0x").contains("computed 0x");
        });
    }

    @Test
    void textAndEmptyFramesAreHandled() {
        feed("rst:0x1 (POWERON_RESET),boot:0x13\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        feed(new byte[] {0, 0, 0});
        assertThat(defects).singleElement().satisfies(d -> {
            assertThat(d.defect()).isEqualTo(FrameException.Defect.FRAMING);
            assertThat(d.getMessage()).startsWith("not a frame: 7273743a");
        });
        assertThat(packets).isEmpty();
    }
}
