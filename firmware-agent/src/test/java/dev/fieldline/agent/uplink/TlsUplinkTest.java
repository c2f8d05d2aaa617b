package dev.fieldline.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.testing.TestCa;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.PayloadFormat;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * MqttUplink over {@code ssl://} against a TLS server socket: the client certificate is presented,
 * and the server must chain to the configured CA and carry the host's name.
 */
@Tag("loopback")
class TlsUplinkTest {
    private final TestCa ca = new TestCa("gateway CA");
    private final KeyPair device = TestCa.p256();
    private final X509Certificate deviceCert = ca.issue("dev-1", device.getPublic(), List.of());

    /** A TLS server that records the client's certificate CN and the first byte after the handshake. */
    private static final class TlsServer implements AutoCloseable {
        final SSLServerSocket socket;
        final AtomicReference<String> clientCn = new AtomicReference<>();
        final AtomicInteger firstByte = new AtomicInteger(-1);
        final AtomicInteger failedHandshakes = new AtomicInteger();
        final Thread thread;

        TlsServer(TestCa issuer, TestCa trusted, List<String> names) throws Exception {
            KeyPair keys = TestCa.p256();
            X509Certificate cert = issuer.issue("gateway", keys.getPublic(), names);
            char[] pw = "test".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", keys.getPrivate(), pw, new X509Certificate[] {cert, issuer.certificate()});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", trusted.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5, InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(true);
            thread = new Thread(this::serve, "tls-test-server");
            thread.start();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (SSLSocket s = (SSLSocket) socket.accept()) {
                    try {
                        s.startHandshake();
                        X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                        clientCn.set(peer.getSubjectX500Principal().getName());
                        InputStream in = s.getInputStream();
                        firstByte.set(in.read());
                    } catch (java.io.IOException e) {
                        failedHandshakes.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    return; // closed
                }
            }
        }

        URI uri() {
            return URI.create("ssl://127.0.0.1:" + socket.getLocalPort());
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }

    private MqttUplink uplink(URI server, X509Certificate trustAnchor) {
        MqttUplink u = new MqttUplink(server, "dev-1", PayloadFormat.CBOR,
                new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0), 4, new byte[] {1});
        u.useTls(TlsSocketFactory.create(device.getPrivate(), deviceCert, trustAnchor));
        return u;
    }

    private static final UplinkListener QUIET = new UplinkListener() {
        @Override
        public void connected() {
        }

        @Override
        public void disconnected(String cause) {
        }

        @Override
        public void command(Command command) {
        }

        @Override
        public void ack(Ack ack) {
        }
    };

    @Test
    void presentsTheDeviceCertificateAndSendsMqttAfterTheHandshake() throws Exception {
        try (TlsServer server = new TlsServer(ca, ca, List.of("127.0.0.1")); MqttUplink u = uplink(server.uri(), ca.certificate())) {
            u.start(QUIET);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.firstByte.get() >= 0);
            assertThat(server.clientCn.get()).isEqualTo("CN=dev-1");
            assertThat(server.firstByte.get()).as("MQTT CONNECT").isEqualTo(0x10);
        }
    }

    @Test
    void refusesAServerCertificateForAnotherNameOrFromAnotherCa() throws Exception {
        TestCa stranger = new TestCa("stranger CA");
        try (TlsServer wrongName = new TlsServer(ca, ca, List.of("gateway.example"));
                TlsServer wrongCa = new TlsServer(stranger, ca, List.of("127.0.0.1"));
                MqttUplink a = uplink(wrongName.uri(), ca.certificate());
                MqttUplink b = uplink(wrongCa.uri(), ca.certificate())) {
            a.start(QUIET);
            b.start(QUIET);
            await().atMost(Duration.ofSeconds(10)).until(() -> wrongName.failedHandshakes.get() >= 2
                    && wrongCa.failedHandshakes.get() >= 2);
            assertThat(wrongName.firstByte.get()).isEqualTo(-1);
            assertThat(wrongCa.firstByte.get()).isEqualTo(-1);
            assertThat(a.isConnected()).isFalse();
            assertThat(b.isConnected()).isFalse();
        }
    }
}
