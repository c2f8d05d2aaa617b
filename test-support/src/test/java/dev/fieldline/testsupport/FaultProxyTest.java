package dev.fieldline.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("loopback")
class FaultProxyTest {

    @Test
    void tcpPassesTrafficUntilCutAndAgainAfterRestore() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread server = new Thread(() -> {
                while (!echo.isClosed()) {
                    try (Socket s = echo.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                        in.transferTo(out);
                    } catch (IOException e) {
                        // next connection
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            try (FaultProxy proxy = FaultProxy.tcp(echo.getLocalPort())) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    s.setSoTimeout(5000);
                    assertThat(roundTrip(s, "one")).isEqualTo("one");
                    proxy.cut();
                    assertThatThrownBy(() -> {
                        s.getOutputStream().write("two".getBytes(StandardCharsets.US_ASCII));
                        if (s.getInputStream().read() < 0) {
                            throw new IOException("closed");
                        }
                    }).isInstanceOf(IOException.class);
                }
                try (Socket refused = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    refused.setSoTimeout(5000);
                    assertThat(refused.getInputStream().read()).as("closed at once while cut").isEqualTo(-1);
                }
                proxy.restore();
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    s.setSoTimeout(5000);
                    assertThat(roundTrip(s, "three")).isEqualTo("three");
                }
                assertThat(proxy.dropped()).isPositive();
            }
        }
    }

    @Test
    void udpDropsDatagramsWhileCut() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                FaultProxy proxy = FaultProxy.udp(echo.getLocalPort())) {
            Thread server = new Thread(() -> {
                byte[] b = new byte[512];
                while (!echo.isClosed()) {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    try {
                        echo.receive(p);
                        echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            client.setSoTimeout(2000);
            assertThat(udpRoundTrip(client, proxy.port(), "a")).isEqualTo("a");
            proxy.cut();
            client.setSoTimeout(300);
            assertThatThrownBy(() -> udpRoundTrip(client, proxy.port(), "b")).isInstanceOf(SocketTimeoutException.class);
            proxy.restore();
            client.setSoTimeout(2000);
            assertThat(udpRoundTrip(client, proxy.port(), "c")).isEqualTo("c");
            assertThat(proxy.dropped()).isEqualTo(1);
        }
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        s.getOutputStream().write(bytes);
        byte[] back = s.getInputStream().readNBytes(bytes.length);
        return new String(back, StandardCharsets.US_ASCII);
    }

    private static String udpRoundTrip(DatagramSocket client, int port, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket p = new DatagramPacket(new byte[512], 512);
        client.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII);
    }
}
