package dev.fieldline.gateway.mqtt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A scripted MQTT 3.1.1 client on a plain socket, for wire-level tests: packets are encoded with
 * Netty's encoder, replies are read as raw bytes so tests can compare them exactly.
 */
final class MqttWire implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    MqttWire(InetSocketAddress address) throws IOException {
        socket = new Socket(address.getAddress(), address.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static byte[] encode(MqttMessage message) {
        EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
        try {
            ch.writeOutbound(message);
            ByteBuf buf = ch.readOutbound();
            try {
                return ByteBufUtil.getBytes(buf);
            } finally {
                buf.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    void send(MqttMessage message) throws IOException {
        send(encode(message));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** CONNECT (3.1.1, clean session) and expect CONNACK accepted. */
    MqttWire connect(String clientId, int keepAliveSeconds) throws IOException {
        send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(keepAliveSeconds).build());
        expect(0x20, 0x02, 0x00, 0x00);
        return this;
    }

    /** CONNECT with a will on the given topic. */
    MqttWire connectWithWill(String clientId, int keepAliveSeconds, String willTopic, String willPayload) throws IOException {
        send(MqttMessageBuilders.connect().clientId(clientId).protocolVersion(MqttVersion.MQTT_3_1_1)
                .cleanSession(true).keepAlive(keepAliveSeconds)
                .willFlag(true).willTopic(willTopic).willMessage(willPayload.getBytes(StandardCharsets.UTF_8))
                .willQoS(MqttQoS.AT_LEAST_ONCE).willRetain(true).build());
        expect(0x20, 0x02, 0x00, 0x00);
        return this;
    }

    void publish(String topic, int qos, int packetId, byte[] payload) throws IOException {
        send(MqttMessageBuilders.publish().topicName(topic).qos(MqttQoS.valueOf(qos)).messageId(packetId)
                .retained(false).payload(Unpooled.wrappedBuffer(payload)).build());
    }

    void disconnect() throws IOException {
        send(new byte[] {(byte) 0xe0, 0x00});
    }

    /** Reads exactly the given bytes or fails showing what came instead. */
    void expect(int... expected) throws IOException {
        byte[] got = read(expected.length);
        byte[] want = new byte[expected.length];
        for (int i = 0; i < expected.length; i++) {
            want[i] = (byte) expected[i];
        }
        if (!Arrays.equals(got, want)) {
            throw new AssertionError("expected " + ByteBufUtil.hexDump(want) + " but got " + ByteBufUtil.hexDump(got));
        }
    }

    byte[] read(int n) throws IOException {
        byte[] buf = in.readNBytes(n);
        if (buf.length < n) {
            throw new AssertionError("connection closed after " + ByteBufUtil.hexDump(buf) + " (wanted " + n + " bytes)");
        }
        return buf;
    }

    /** True if nothing arrives within the socket's short poll time (the peer stays silent). */
    boolean silentFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("connection closed");
            }
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    /** True once the server closed the connection (read returns end of stream). */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
