package dev.fieldline.agent.hal.pi4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.hal.DigitalOutput;
import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.SerialPort;
import dev.fieldline.agent.hal.pi4j.emulated.EmulatedPi;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.testsupport.PtyPair;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pi4j board's UART over a real pty pair made by socat: the rpi4b stock profile's uart0 with its
 * device file pointed at one end, the rest of the board on Pi4J's mock providers (simulation swaps
 * only the lowest layer), and a peer on the other end through jSerialComm.
 */
@Tag("interop")
class Pi4jSerialInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private PtyPair socat;
    private Pi4jBoard board;
    private com.fazecast.jSerialComm.SerialPort peer;

    @BeforeEach
    void start() throws IOException {
        Path agentEnd = dir.resolve("uart0");
        Path peerEnd = dir.resolve("peer");
        socat = PtyPair.start(agentEnd, peerEnd, dir.resolve("socat.log"));
        Pi4jConfig config = Pi4jConfig.forProfile(BoardProfiles.load("rpi4b")).withUartDevice("uart0", agentEnd.toString());
        board = Pi4jBoard.open(config, new EmulatedPi(), Clock.systemUTC());
        peer = com.fazecast.jSerialComm.SerialPort.getCommPort(peerEnd.toString());
        peer.setComPortParameters(115_200, 8, com.fazecast.jSerialComm.SerialPort.ONE_STOP_BIT,
                com.fazecast.jSerialComm.SerialPort.NO_PARITY);
        peer.setComPortTimeouts(com.fazecast.jSerialComm.SerialPort.TIMEOUT_READ_SEMI_BLOCKING
                | com.fazecast.jSerialComm.SerialPort.TIMEOUT_WRITE_BLOCKING, 100, 2000);
        assertThat(peer.openPort()).as("the peer's end opens").isTrue();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (board != null) {
            board.close();
        }
        if (peer != null) {
            peer.closePort();
        }
        if (socat != null) {
            socat.close();
        }
    }

    @Test
    void bytesGoBothWaysWhileTheOtherIoRunsOnMocks() {
        SerialPort uart = board.serial("uart0");
        assertThat(uart.name()).isEqualTo("uart0");
        assertThat(uart.device()).isEqualTo(dir.resolve("uart0").toString());
        assertThat(board.serial("uart0")).as("an open port is handed out again").isSameAs(uart);
        DigitalOutput led = board.digitalOutput(22, false);
        led.write(true);

        uart.write("hello from the pi\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(peerRead(18), StandardCharsets.US_ASCII)).isEqualTo("hello from the pi\n");

        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        assertThat(peer.writeBytes(all, all.length)).isEqualTo(all.length);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[64];
        while (got.size() < all.length) {
            int n = uart.read(buffer, WAIT);
            assertThat(n).isBetween(1, buffer.length);
            got.write(buffer, 0, n);
        }
        assertThat(got.toByteArray()).as("every byte value, raw (no echo, no line discipline)").isEqualTo(all);
    }

    @Test
    void aReadWithNothingArrivingTimesOut() {
        SerialPort uart = board.serial("uart0");
        long t0 = System.nanoTime();
        HalException e = catchThrowableOfType(() -> uart.read(new byte[16], Duration.ofMillis(300)), HalException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(e.reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(e).hasMessageContaining("uart0").hasMessageContaining("300 ms");
        assertThat(took).isBetween(Duration.ofMillis(250), Duration.ofSeconds(3));

        peer.writeBytes(new byte[] {42}, 1);
        byte[] one = new byte[16];
        assertThat(uart.read(one, WAIT)).isEqualTo(1);
        assertThat(one[0]).isEqualTo((byte) 42);
    }

    @Test
    void thePtyVanishingIsAbsentAndReopeningItIsToo() throws InterruptedException {
        SerialPort uart = board.serial("uart0");
        socat.cut();
        assertThat(socat.isAlive()).isFalse();
        await("the pty link is removed").atMost(WAIT).until(() -> !Files.exists(dir.resolve("uart0")));

        HalException onRead = catchThrowableOfType(() -> uart.read(new byte[16], Duration.ofMillis(200)),
                HalException.class);
        assertThat(onRead.reason()).as(onRead.getMessage()).isEqualTo(Reason.ABSENT);
        assertThat(onRead).hasMessageContaining("uart0");
        HalException onWrite = catchThrowableOfType(() -> uart.write(new byte[] {1, 2, 3}), HalException.class);
        assertThat(onWrite.reason()).as(onWrite.getMessage()).isEqualTo(Reason.ABSENT);

        uart.close();
        assertThatThrownBy(() -> uart.read(new byte[1], Duration.ofMillis(10)))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.IO))
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> board.serial("uart0"))
                .isInstanceOfSatisfying(HalException.class, e -> assertThat(e.reason()).isEqualTo(Reason.ABSENT))
                .hasMessageContaining("does not exist");
    }

    @Test
    void aUartTheProfileDoesNotDeclareIsRefusedNamingTheDeclaredOnes() {
        assertThatThrownBy(() -> board.serial("uart3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no UART 'uart3'").hasMessageContaining("uart0");
    }

    /** Exactly {@code n} bytes from the peer's end, within {@link #WAIT}. */
    private byte[] peerRead(int n) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buffer = new byte[64];
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < n && System.nanoTime() < deadline) {
            int r = peer.readBytes(buffer, Math.min(buffer.length, n - got.size()));
            assertThat(r).as("peer read").isNotNegative();
            got.write(buffer, 0, r);
        }
        return got.toByteArray();
    }
}
