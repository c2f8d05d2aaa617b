package dev.fieldline.gateway.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on a free loopback port for fault injection between an MQTT client and a broker. It
 * records what each client connection sent, can hold the client's bytes back (they are read and kept,
 * never forwarded: to the client its packets are on the wire, to the broker they never came) and can
 * cut every connection at once.
 */
final class TcpProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpProxy.class);

    /** One proxied connection: what the client sent (forwarded or held), in order. */
    static final class Connection {
        private final Socket client;
        private final Socket server;
        private final ByteArrayOutputStream fromClient = new ByteArrayOutputStream();

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        synchronized byte[] fromClient() {
            return fromClient.toByteArray();
        }

        private synchronized void record(byte[] b, int n) {
            fromClient.write(b, 0, n);
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private volatile boolean holding;
    private volatile boolean closed;

    TcpProxy(int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + listener.getLocalPort();
    }

    /** From now on, bytes from clients are recorded but not forwarded. */
    void holdClientBytes() {
        holding = true;
    }

    /** Forward again (what was held is dropped, never forwarded). */
    void release() {
        holding = false;
    }

    /** Closes every open connection (both sides), as a network failure or a broker restart would. */
    void cut() {
        for (Connection c : connections) {
            c.close();
        }
    }

    /** Every connection accepted so far, oldest first. */
    List<Connection> connections() {
        return List.copyOf(connections);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(upstream, 2000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                Connection c = new Connection(client, server);
                connections.add(c);
                pump("tcp-proxy-up", c, client, server, true);
                pump("tcp-proxy-down", c, server, client, false);
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug("proxy accept: {}", e.toString());
                }
            }
        }
    }

    private void pump(String name, Connection c, Socket from, Socket to, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (fromClient) {
                        c.record(buffer, n);
                        if (holding) {
                            continue;
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // cut, or the other side closed
            } catch (IOException e) {
                LOG.debug("{}: {}", name, e.toString());
            } finally {
                c.close();
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        cut();
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
