package dev.fieldline.agent.hal.esp32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scripted wire tests of the host side over an in-memory link: the exact bytes the board sends (the
 * handshake as in the shared vectors, each API call's payload as docs/esp32-bridge.md specifies), and
 * what it makes of replies that are lost, stray, refused or malformed, and of a BOOT frame.
 */
class Esp32BoardWireTest {
    private static final HexFormat HEX = HexFormat.of();

    private final ScriptedLink link = new ScriptedLink();
    private Esp32Board board;

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    private static String wire(int kind, int id, String payload) {
        return HEX.formatHex(new Packet(kind, id, hex(payload)).toWire());
    }

    /** The bridge's handshake answers (the vectors' for ids 1 and 2), plus {@code more} for the rest. */
    private void script(Function<Packet, byte[]> more) {
        Packet hello = FrameVectorsTest.frame("HELLO reply");
        Packet info = FrameVectorsTest.frame("INFO reply");
        link.respond(p -> switch (p.kind()) {
            case BridgeProtocol.HELLO -> new Packet(hello.kind(), p.id(), hello.payload()).toWire();
            case BridgeProtocol.INFO -> new Packet(info.kind(), p.id(), info.payload()).toWire();
            default -> more.apply(p);
        });
    }

    private static byte[] empty(Packet p) {
        return new Packet(p.kind() | BridgeProtocol.REPLY, p.id(), new byte[0]).toWire();
    }

    @BeforeEach
    void open() {
        script(Esp32BoardWireTest::empty);
        board = Esp32Board.open(Esp32BridgeConfig.of("scripted").withRequestTimeout(Duration.ofMillis(100), 2)
                .withKeepAlive(Duration.ofSeconds(5)), link, 1);
    }

    @AfterEach
    void close() {
        board.close();
    }

    private String sent(int index) {
        return HEX.formatHex(link.written().get(index));
    }

    @Test
    void theHandshakeIsByteExact() {
        assertThat(sent(0)).as("ends a partial frame on the ESP32").isEqualTo("00");
        assertThat(sent(1)).isEqualTo(FrameVectorsTest.wire("HELLO request")).isEqualTo("00030101050101f9ee00");
        assertThat(sent(2)).isEqualTo(FrameVectorsTest.wire("INFO request")).isEqualTo("00030202039ec400");
        assertThat(board.bootId()).isEqualTo(0x12345678L);
        assertThat(board.info().chip()).isEqualTo("esp32");
        assertThat(board.info().pins()).hasSize(24);
    }

    @Test
    void eachCallSendsTheDocumentedPayload() {
        script(p -> p.kind() == BridgeProtocol.ADC_READ ? new Packet(0xA0, p.id(), hex("d204")).toWire() : empty(p));
        board.digitalOutput(2, true);
        assertThat(board.analogInput(36).read()).isEqualTo(1234);
        board.pwm(5).set(1000, 32768 / 65535.0);
        board.digitalInput(4, dev.fieldline.agent.hal.Pull.UP);
        board.defineI2cBus("i2c0", 21, 22, 400_000);
        board.i2c("i2c0", 0x76).writeRegister(0xF4, 0x27);
        board.subscribe(Duration.ofMillis(20), List.of(Esp32Board.Channel.adc(36), Esp32Board.Channel.gpio(4)));
        assertThat(sent(3)).isEqualTo(wire(0x10, 3, "02 03 01"));
        assertThat(sent(4)).isEqualTo(wire(0x20, 4, "24"));
        assertThat(sent(5)).isEqualTo(wire(0x30, 5, "05 e8030000 0080"));
        assertThat(sent(6)).isEqualTo(wire(0x10, 6, "04 01 00"));
        assertThat(sent(7)).isEqualTo(wire(0x40, 7, "00 15 16 801a0600"));
        assertThat(sent(8)).isEqualTo(wire(0x41, 8, "00 76 f4 27"));
        assertThat(sent(9)).isEqualTo(wire(0x50, 9, "1400 01 02 0124 0004"));
    }

    @Test
    void aLostReplyIsAskedForAgainWithTheSameBytes() {
        AtomicInteger seen = new AtomicInteger();
        script(p -> seen.incrementAndGet() == 1 ? null : new Packet(0xA0, p.id(), hex("0100")).toWire());
        assertThat(board.analogInput(36).read()).isEqualTo(1);
        List<byte[]> out = link.written();
        assertThat(out.get(out.size() - 1)).isEqualTo(out.get(out.size() - 2));
        assertThat(board.stats().retransmissions()).isEqualTo(1);
    }

    @Test
    void aStrayReplyIsIgnored() {
        script(p -> concat(new Packet(0xA0, p.id() - 1, hex("0900")).toWire(),
                new Packet(0xA0, p.id(), hex("0700")).toWire()));
        assertThat(board.analogInput(36).read()).isEqualTo(7);
        assertThat(board.stats().strayReplies()).isEqualTo(1);
    }

    @Test
    void refusalsAndMalformedRepliesHaveReasons() {
        board.defineI2cBus("i2c0", 21, 22, 400_000);
        script(p -> switch (p.kind()) {
            case BridgeProtocol.I2C_READ -> new Packet(0x7F, p.id(),
                    concat(new byte[] {0x42, 7}, "no ACK from 0x76".getBytes(StandardCharsets.US_ASCII))).toWire();
            case BridgeProtocol.ADC_READ -> new Packet(0xA0, p.id(), hex("d20400")).toWire();
            case BridgeProtocol.GPIO_READ -> new Packet(0x92, p.id(), hex("01")).toWire();
            default -> empty(p);
        });
        assertThatThrownBy(() -> board.i2c("i2c0", 0x76).readRegister(0xD0))
                .isInstanceOfSatisfying(Esp32BridgeException.class, e -> {
                    assertThat(e.error()).isEqualTo(Esp32BridgeException.BridgeError.NACK);
                    assertThat(e.reason()).isEqualTo(Reason.NACK);
                })
                .hasMessage("ESP32 bridge on scripted refused I2C_READ: NACK: no ACK from 0x76");
        assertThatThrownBy(() -> board.analogInput(36).read())
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE));
        assertThatThrownBy(() -> board.digitalInput(4).read())
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.GARBAGE))
                .hasMessageContaining("answered GPIO_READ with GPIO_WRITE reply");
        assertThat(board.stats().errorReplies()).isEqualTo(1);
    }

    @Test
    void aBootFrameWithANewBootIdStartsAResync() {
        int before = link.written().size();
        link.inject(new Packet(BridgeProtocol.BOOT, 0, hex("21436587 01 01 01")).toWire());
        await().atMost(Duration.ofSeconds(5)).until(() -> board.stats().syncs() == 2 && board.isConnected());
        assertThat(link.written().stream().skip(before).map(HEX::formatHex))
                .anyMatch(w -> w.startsWith("0003" + "01"));
    }

    @Test
    void aBootFrameOfTheCurrentBootChangesNothing() {
        link.inject(FrameVectorsTest.frame("BOOT").toWire());
        assertThat(board.ping()).isPositive();
        assertThat(board.stats().syncs()).isEqualTo(1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
