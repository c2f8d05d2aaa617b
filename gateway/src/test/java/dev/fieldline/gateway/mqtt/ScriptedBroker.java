package dev.fieldline.gateway.mqtt;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttSubAckPayload;
import io.netty.handler.codec.mqtt.MqttSubscribeMessage;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * A scripted MQTT 5 broker on a free loopback port (Netty's codec): it answers CONNECT, SUBSCRIBE and
 * PINGREQ, except on the connections the test tells it to stay silent on, and counts connections, so
 * tests can make a CONNACK or a SUBACK never come.
 */
final class ScriptedBroker implements AutoCloseable {
    /** What the broker saw of one connection. */
    static final class Connection {
        final int index;
        final Channel channel;
        final List<MqttMessageType> received = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        Connection(int index, Channel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private final EventLoopGroup group;
    private final Channel server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile IntPredicate withoutConnAck = i -> false;
    private volatile IntPredicate withoutSubAck = i -> false;

    ScriptedBroker() throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("scripted-broker"), NioIoHandler.newFactory());
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Connection c = new Connection(accepted.getAndIncrement(), ch);
                        connections.add(c);
                        ch.closeFuture().addListener(f -> c.closed = true);
                        ch.pipeline()
                                .addLast("decoder", new MqttDecoder())
                                .addLast("encoder", MqttEncoder.INSTANCE)
                                .addLast("script", new Script(c));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    /** Connections (0 = the first) that get no CONNACK. */
    ScriptedBroker withoutConnAck(IntPredicate connections) {
        this.withoutConnAck = connections;
        return this;
    }

    /** Connections (0 = the first) whose SUBSCRIBE gets no SUBACK. */
    ScriptedBroker withoutSubAck(IntPredicate connections) {
        this.withoutSubAck = connections;
        return this;
    }

    String url() {
        InetSocketAddress a = (InetSocketAddress) server.localAddress();
        return "tcp://127.0.0.1:" + a.getPort();
    }

    List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Closes one connection from the broker's side, as a broker restart would. */
    void drop(int index) {
        connections.get(index).channel.close().syncUninterruptibly();
    }

    private final class Script extends SimpleChannelInboundHandler<MqttMessage> {
        private final Connection c;

        Script(Connection c) {
            this.c = c;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                ctx.close();
                return;
            }
            MqttMessageType type = msg.fixedHeader().messageType();
            c.received.add(type);
            switch (type) {
                case CONNECT -> {
                    if (!withoutConnAck.test(c.index)) {
                        ctx.writeAndFlush(MqttMessageBuilders.connAck()
                                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED)
                                .sessionPresent(false)
                                .properties(p -> p.receiveMaximum(100).maximumQos((byte) 1).topicAliasMaximum(0))
                                .build());
                    }
                }
                case SUBSCRIBE -> {
                    if (!withoutSubAck.test(c.index)) {
                        MqttSubscribeMessage s = (MqttSubscribeMessage) msg;
                        List<Integer> granted = new ArrayList<>();
                        s.payload().topicSubscriptions().forEach(t -> granted.add(1));
                        ctx.writeAndFlush(new MqttSubAckMessage(
                                new MqttFixedHeader(MqttMessageType.SUBACK, false, MqttQoS.AT_MOST_ONCE, false, 0),
                                MqttMessageIdVariableHeader.from(s.idAndPropertiesVariableHeader().messageId()),
                                new MqttSubAckPayload(granted)));
                    }
                }
                case PINGREQ -> ctx.writeAndFlush(new MqttMessage(
                        new MqttFixedHeader(MqttMessageType.PINGRESP, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                case DISCONNECT -> ctx.close();
                default -> {
                    // PUBLISH, PUBACK...: not scripted
                }
            }
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        for (Connection c : connections) {
            c.channel.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
