package dev.fieldline.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting proxy on 127.0.0.1 for one TCP or UDP service: traffic goes through until
 * {@link #cut()}, which drops every TCP connection and refuses new ones (or, for UDP, silently drops
 * datagrams both ways), until {@link #restore()}. Tests point devices at {@link #port()} instead of
 * the real service.
 */
public final class FaultProxy implements AutoCloseable {
    private final boolean udp;
    private final InetSocketAddress target;
    private final Set<Socket> tcpSockets = ConcurrentHashMap.newKeySet();
    private final Map<SocketAddress, DatagramSocket> udpSessions = new ConcurrentHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    private final ServerSocket tcpListener;
    private final DatagramSocket udpListener;
    private final Thread acceptor;
    private volatile boolean cut;
    private volatile boolean closed;

    private FaultProxy(boolean udp, int targetPort) throws IOException {
        this.udp = udp;
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        if (udp) {
            tcpListener = null;
            udpListener = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::relayUdpFromClients, "fault-proxy-udp-" + targetPort);
        } else {
            tcpListener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
            udpListener = null;
            acceptor = new Thread(this::acceptTcp, "fault-proxy-tcp-" + targetPort);
        }
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A TCP proxy to 127.0.0.1:targetPort. */
    public static FaultProxy tcp(int targetPort) {
        try {
            return new FaultProxy(false, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UDP proxy to 127.0.0.1:targetPort (one upstream socket per client address). */
    public static FaultProxy udp(int targetPort) {
        try {
            return new FaultProxy(true, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return udp ? udpListener.getLocalPort() : tcpListener.getLocalPort();
    }

    /** Drops all traffic: TCP connections are reset and refused, UDP datagrams vanish. */
    public void cut() {
        cut = true;
        for (Socket s : tcpSockets) {
            closeQuietly(s);
        }
    }

    /** Lets traffic through again. */
    public void restore() {
        cut = false;
    }

    public boolean isCut() {
        return cut;
    }

    /** UDP datagrams dropped or TCP connections refused while cut. */
    public long dropped() {
        return dropped.get();
    }

    private void acceptTcp() {
        while (!closed) {
            Socket client;
            try {
                client = tcpListener.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                dropped.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            try {
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                tcpSockets.add(client);
                tcpSockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (cut) {
                        break;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // the other side closed, or we cut the connection
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                tcpSockets.remove(from);
                tcpSockets.remove(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void relayUdpFromClients() {
        byte[] buffer = new byte[65_535];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                udpListener.receive(p);
            } catch (IOException e) {
                return;
            }
            if (cut) {
                dropped.incrementAndGet();
                continue;
            }
            SocketAddress client = p.getSocketAddress();
            try {
                DatagramSocket upstream = udpSessions.computeIfAbsent(client, this::openUpstream);
                upstream.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), target));
            } catch (IOException | UncheckedIOException e) {
                dropped.incrementAndGet();
            }
        }
    }

    private DatagramSocket openUpstream(SocketAddress client) {
        try {
            DatagramSocket upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            Thread back = new Thread(() -> {
                byte[] buffer = new byte[65_535];
                while (!closed) {
                    DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                    try {
                        upstream.receive(p);
                        if (cut) {
                            dropped.incrementAndGet();
                            continue;
                        }
                        udpListener.send(new DatagramPacket(p.getData(), p.getOffset(), p.getLength(), client));
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "fault-proxy-udp-back");
            back.setDaemon(true);
            back.start();
            return upstream;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing a proxied connection
        }
    }

    @Override
    public void close() {
        closed = true;
        cut();
        if (tcpListener != null) {
            closeQuietly(tcpListener);
        }
        if (udpListener != null) {
            udpListener.close();
        }
        udpSessions.values().forEach(DatagramSocket::close);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
