package dev.fieldline.agent.hal.esp32;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java side against the protocol's shared byte-exact vectors ({@code /esp32-bridge/frame-vectors.json}
 * in the board-profiles jar): the MicroPython bridge's own tests check the same file.
 */
class FrameVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static Map<String, Object> vectors;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = FrameVectorsTest.class.getResourceAsStream("/esp32-bridge/frame-vectors.json")) {
            assertThat(in).as("frame-vectors.json on the classpath (board-profiles)").isNotNull();
            vectors = Json.object(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String name) {
        if (vectors == null) {
            try {
                load();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return (List<Map<String, Object>>) vectors.get(name);
    }

    /** The vector frame whose name starts with {@code name}, as a packet. */
    static Packet frame(String name) {
        Map<String, Object> f = list("frames").stream().filter(v -> ((String) v.get("name")).startsWith(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no vector " + name));
        return new Packet(((Long) f.get("kind")).intValue(), ((Long) f.get("id")).intValue(),
                HEX.parseHex((String) f.get("payload")));
    }

    /** The wire bytes of the vector frame whose name starts with {@code name}, in hex. */
    static String wire(String name) {
        return (String) list("frames").stream().filter(v -> ((String) v.get("name")).startsWith(name))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no vector " + name)).get("wire");
    }

    @Test
    void crc16MatchesTheCatalogueAndTheVectors() {
        assertThat(Crc16.of("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9)).isEqualTo(0x29B1);
        for (Map<String, Object> v : list("crc16")) {
            byte[] data = HEX.parseHex((String) v.get("hex"));
            assertThat(Crc16.of(data, 0, data.length)).as(v.toString()).isEqualTo(((Long) v.get("crc")).intValue());
        }
    }

    @Test
    void cobsEncodesAndDecodesTheVectors() {
        for (Map<String, Object> v : list("cobs")) {
            byte[] decoded = HEX.parseHex((String) v.get("decoded"));
            byte[] encoded = HEX.parseHex((String) v.get("encoded"));
            byte[] out = new byte[Cobs.maxEncodedLength(decoded.length)];
            int n = Cobs.encode(decoded, 0, decoded.length, out, 0);
            assertThat(HEX.formatHex(out, 0, n)).isEqualTo(v.get("encoded"));
            byte[] back = new byte[300];
            int m = Cobs.decode(encoded, 0, encoded.length, back);
            assertThat(HEX.formatHex(back, 0, m)).isEqualTo(v.get("decoded"));
        }
    }

    @Test
    void everyFrameEncodesAndDecodesByteForByte() {
        List<Map<String, Object>> frames = list("frames");
        assertThat(frames).hasSizeGreaterThan(20);
        for (Map<String, Object> f : frames) {
            String name = (String) f.get("name");
            Packet p = new Packet(((Long) f.get("kind")).intValue(), ((Long) f.get("id")).intValue(),
                    HEX.parseHex((String) f.get("payload")));
            assertThat(HEX.formatHex(p.toPacketBytes())).as(name).isEqualTo(f.get("packet"));
            assertThat(HEX.formatHex(p.toWire())).as(name).isEqualTo(f.get("wire"));
            Decoded d = decode(HEX.parseHex((String) f.get("wire")));
            assertThat(d.defects).as(name).isEmpty();
            assertThat(d.packets).as(name).containsExactly(p);
        }
    }

    @Test
    void badFramesGiveTheirDefectAndTheNextFrameStillDecodes() {
        for (Map<String, Object> b : list("bad_frames")) {
            String name = (String) b.get("name");
            Decoded d = decode(HEX.parseHex((String) b.get("wire")));
            assertThat(d.defects).as(name).containsExactlyElementsOf(
                    ((List<?>) b.get("errors")).stream().map(String::valueOf).toList());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> expected = (List<Map<String, Object>>) b.get("packets");
            assertThat(d.packets).as(name).containsExactlyElementsOf(expected.stream()
                    .map(e -> new Packet(((Long) e.get("kind")).intValue(), ((Long) e.get("id")).intValue(),
                            HEX.parseHex((String) e.get("payload"))))
                    .toList());
        }
    }

    @Test
    void theInfoVectorParses() {
        Map<String, Object> f = list("frames").stream().filter(v -> (Long) v.get("kind") == 0x82).findFirst().orElseThrow();
        BridgeInfo info = BridgeInfo.parse(new Packet(0x82, 2, HEX.parseHex((String) f.get("payload"))));
        assertThat(info.chip()).isEqualTo("esp32");
        assertThat(info.firmware()).isEqualTo("fieldline-bridge 1.0.0");
        assertThat(info.maxCount()).isEqualTo(4095);
        assertThat(info.pins()).hasSize(24);
        assertThat(info.pinsThatCan(BridgeInfo.Capability.ADC)).containsExactly(32, 33, 34, 35, 36, 39);
        assertThat(info.can(34, BridgeInfo.Capability.OUTPUT)).isFalse();
        assertThat(info.minPushPeriod().toMillis()).isEqualTo(10);
    }

    record Decoded(List<Packet> packets, List<String> defects) {
    }

    static Decoded decode(byte[] wire) {
        Decoded d = new Decoded(new ArrayList<>(), new ArrayList<>());
        new FrameDecoder().feed(wire, 0, wire.length, new FrameDecoder.Sink() {
            @Override
            public void packet(Packet packet) {
                d.packets.add(packet);
            }

            @Override
            public void defect(FrameException defect) {
                d.defects.add(defect.defect().name());
            }
        });
        return d;
    }
}
