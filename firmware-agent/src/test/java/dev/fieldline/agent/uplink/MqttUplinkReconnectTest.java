package dev.fieldline.agent.uplink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.testsupport.FaultProxy;
import dev.fieldline.testsupport.Mosquitto;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MQTT uplink's own connection handling: a new Paho client per attempt, CONNACK and SUBACK
 * watchdogs that drop the attempt and try again, and a clean reconnection through a cut connection to
 * a real Mosquitto (which grants topic aliases) with every message published again and confirmed.
 */
class MqttUplinkReconnectTest {
    private static final ReconnectPolicy FAST = new ReconnectPolicy(Duration.ofMillis(50), Duration.ofMillis(200), 0);
    private static final byte[] WILL = "offline".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    /** Accepts TCP connections, reads what the client sends, and answers CONNECT with a CONNACK or not at all. */
    private static final class SilentBroker implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final AtomicInteger accepted = new AtomicInteger();
        final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        final Thread acceptor;

        SilentBroker(boolean connack) throws IOException {
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        accepted.incrementAndGet();
                        Thread reader = new Thread(() -> serve(s, connack), "silent-broker-conn");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-broker");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void serve(Socket s, boolean connack) {
            try (s) {
                InputStream in = s.getInputStream();
                byte[] buffer = new byte[4096];
                boolean answered = false;
                while (in.read(buffer) >= 0) {
                    if (connack && !answered) {
                        // MQTT 5 CONNACK: no session, success, Receive Maximum 100, Topic Alias Maximum 10,
                        // Maximum QoS 1; SUBSCRIBEs then go unanswered
                        s.getOutputStream().write(new byte[] {0x20, 0x0B, 0x00, 0x00, 0x08, 0x21, 0x00, 0x64, 0x22, 0x00,
                            0x0A, 0x24, 0x01});
                        s.getOutputStream().flush();
                        answered = true;
                    }
                }
            } catch (IOException e) {
                // client gone
            }
        }

        URI uri() {
            return URI.create("tcp://127.0.0.1:" + server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static final class Events implements UplinkListener {
        final AtomicInteger connected = new AtomicInteger();
        final AtomicInteger disconnected = new AtomicInteger();

        @Override
        public void connected() {
            connected.incrementAndGet();
        }

        @Override
        public void disconnected(String cause) {
            disconnected.incrementAndGet();
        }

        @Override
        public void command(Command command) {
        }
    }

    @Test
    void noConnackDropsTheAttemptAndConnectsAgainWithANewConnection() throws Exception {
        try (SilentBroker broker = new SilentBroker(false);
             MqttUplink uplink = new MqttUplink(broker.uri(), "no-connack", PayloadFormat.CBOR, FAST, 4, WILL)) {
            uplink.useTimeouts(Duration.ofMillis(300), Duration.ofMillis(300));
            Events events = new Events();
            uplink.start(events);
            // Paho alone waits for ever for a CONNACK on an open TCP connection
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.accepted.get() >= 3 && uplink.connectTimeouts() >= 2);
            assertThat(uplink.isConnected()).isFalse();
            assertThat(uplink.subscribeTimeouts()).isZero();
            assertThat(events.connected.get()).isZero();
        }
    }

    @Test
    void noSubackDropsTheConnectionAndConnectsAgain() throws Exception {
        try (SilentBroker broker = new SilentBroker(true);
             MqttUplink uplink = new MqttUplink(broker.uri(), "no-suback", PayloadFormat.CBOR, FAST, 4, WILL)) {
            uplink.useTimeouts(Duration.ofSeconds(3), Duration.ofMillis(300));
            Events events = new Events();
            uplink.start(events);
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.accepted.get() >= 3 && uplink.subscribeTimeouts() >= 2);
            assertThat(uplink.isConnected()).isFalse();
            assertThat(uplink.connectTimeouts()).isZero();
            assertThat(events.connected.get()).as("never counted as connected without the SUBACK").isZero();
            CompletableFuture<Void> f = uplink.send(MessageKind.TELEMETRY, new byte[] {1});
            assertThat(f).isCompletedExceptionally();
        }
    }

    @Test
    @Tag("interop")
    void cutConnectionToMosquittoFailsUnconfirmedPublishesAndReconnectsCleanly() throws Exception {
        Mosquitto mosquitto = Mosquitto.start(dir.resolve("mosquitto"));
        try (mosquitto;
             FaultProxy proxy = FaultProxy.tcp(mosquitto.port());
             MqttUplink uplink = new MqttUplink(URI.create("tcp://127.0.0.1:" + proxy.port()), "cut-1",
                     PayloadFormat.CBOR, FAST, 16, WILL)) {
            MqttClient watcher = new MqttClient(mosquitto.url(), "watcher", null);
            watcher.connect(new MqttConnectionOptions());
            List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            watcher.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("fl/v1/cut-1/telemetry", 1)},
                    new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                        (topic, m) -> seen.add(new String(m.getPayload(), StandardCharsets.UTF_8))});
            Events events = new Events();
            uplink.start(events);
            await().atMost(Duration.ofSeconds(10)).until(uplink::isConnected);

            // the same topic again and again: Paho would alias it (Mosquitto grants 10 aliases)
            List<CompletableFuture<Void>> first = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                first.add(uplink.send(MessageKind.TELEMETRY, ("a" + i).getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

            // publishes in flight when the connection is cut fail: nothing unconfirmed counts as delivered
            proxy.cut();
            await().atMost(Duration.ofSeconds(40)).until(() -> !uplink.isConnected());
            CompletableFuture<Void> during = uplink.send(MessageKind.TELEMETRY, "lost".getBytes(StandardCharsets.UTF_8));
            assertThat(during).isCompletedExceptionally();
            proxy.restore();
            await().atMost(Duration.ofSeconds(10)).until(() -> uplink.isConnected() && uplink.reconnects() == 1);
            assertThat(events.disconnected.get()).isEqualTo(1);
            assertThat(events.connected.get()).isEqualTo(2);

            List<CompletableFuture<Void>> second = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                second.add(uplink.send(MessageKind.TELEMETRY, ("b" + i).getBytes(StandardCharsets.UTF_8)));
            }
            CompletableFuture.allOf(second.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains("b49"));
            assertThat(uplink.isConnected()).as("Mosquitto accepted every PUBLISH of the new connection").isTrue();
            assertThat(uplink.connectTimeouts()).isZero();
            assertThat(uplink.subscribeTimeouts()).isZero();
            watcher.disconnect();
            watcher.close();
        }
    }
}
