package dev.fieldline.agent.uplink;

import dev.fieldline.protocol.federated.FlAddresses;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import java.util.Optional;

import dev.fieldline.agent.internal.NamedThreads;
import dev.fieldline.agent.uplink.UplinkException.Failure;
import dev.fieldline.protocol.CoapResources;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CoAP uplink on Eclipse Californium: confirmable POSTs to {@code /v1/d/{id}/{kind}} with the
 * kind's Content-Format; 2.xx acknowledges, 4.xx rejects (not retried), 5.xx and timeouts are
 * retried later. Downlink commands arrive by Observe on {@code /v1/d/{id}/cmd}. "Connected" means
 * the gateway answered the observe request; a timed-out exchange counts as a lost connection and
 * the observation is re-established with backoff. One exchange at a time (NSTART = 1).
 */
public final class CoapUplink implements Uplink {
    private static final Logger log = LoggerFactory.getLogger(CoapUplink.class);

    private final URI server;
    private final String deviceId;
    private final PayloadFormat format;
    private final ReconnectPolicy policy;
    private final Configuration config;
    private final MessageCodec codec = new MessageCodec();
    private final FlCodec flCodec = new FlCodec();
    private final Set<CompletableFuture<Void>> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean connected;
    private volatile boolean closed;
    private volatile UplinkListener listener;
    private ScheduledExecutorService scheduler;
    private CoapEndpoint endpoint;
    private CoapClient client;
    private Reconnector reconnector;
    private volatile CoapObserveRelation relation;
    /** The DTLS credentials for {@code coaps://}; required before {@link #start} for that scheme. */
    private volatile DtlsCredentials dtls;
    private DTLSConnector dtlsConnector;

    /**
     * @param server {@code coap://host:port}, or {@code coaps://host:port} for CoAP over DTLS 1.2 (default port
     *     5684; see {@link #useDtls})
     * @param ackTimeout initial CoAP ACK timeout (RFC 7252 ACK_TIMEOUT)
     * @param maxRetransmit retransmissions of a confirmable message before it times out
     */
    public CoapUplink(URI server, String deviceId, PayloadFormat format, ReconnectPolicy policy,
                      Duration ackTimeout, int maxRetransmit) {
        if (server == null || !("coap".equals(server.getScheme()) || "coaps".equals(server.getScheme()))
                || server.getHost() == null) {
            throw new IllegalArgumentException("server must be coap://host:port or coaps://host:port, was " + server);
        }
        if (ackTimeout == null || ackTimeout.toMillis() < 10) {
            throw new IllegalArgumentException("ackTimeout must be >= 10ms, was " + ackTimeout);
        }
        if (maxRetransmit < 0 || maxRetransmit > 20) {
            throw new IllegalArgumentException("maxRetransmit must be 0..20, was " + maxRetransmit);
        }
        this.server = server.getPort() >= 0 ? server
                : URI.create(server.getScheme() + "://" + server.getHost() + (server.getScheme().equals("coaps") ? ":5684" : ":5683"));
        this.deviceId = deviceId;
        this.format = format;
        this.policy = policy;
        CoapConfig.register();
        UdpConfig.register();
        if (isDtls()) {
            DtlsConfig.register();
        }
        this.config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.ACK_TIMEOUT, ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (config.get(CoapConfig.MAX_ACK_TIMEOUT, TimeUnit.MILLISECONDS) < ackTimeout.toMillis()) {
            config.set(CoapConfig.MAX_ACK_TIMEOUT, ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        config.set(CoapConfig.MAX_RETRANSMIT, maxRetransmit);
        // block-wise answers are assembled up to this size: model files (get), federated chunks of up to
        // 48 KiB (docs/protocol.md §10); uplinks are small and unaffected
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, MAX_DOWNLOAD_BYTES);
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
    }

    /** Largest body {@link #get} assembles (block-wise, RFC 7959). */
    public static final int MAX_DOWNLOAD_BYTES = 16 << 20;

    /**
     * GETs a resource of the gateway ({@code path} without a leading slash, e.g.
     * {@code v1/models/m/3}), block-wise when it is larger than a datagram, on the uplink's own
     * endpoint (so over DTLS when the uplink is {@code coaps://}).
     *
     * @return the body; fails with {@link UplinkException} on a non-2.05 answer, no answer or a body
     *     larger than {@code maxBytes}
     */
    public CompletableFuture<byte[]> get(String path, int maxBytes) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        CoapClient c;
        synchronized (this) {
            c = client;
        }
        if (c == null || closed) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "not started"));
            return f;
        }
        Request get = Request.newGet();
        get.setConfirmable(true);
        get.setURI(server.getScheme() + "://" + server.getHost() + ":" + server.getPort() + "/" + path);
        c.advanced(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (response.getCode() != CoAP.ResponseCode.CONTENT) {
                    f.completeExceptionally(new UplinkException(response.getCode().isClientError() ? Failure.REJECTED : Failure.UNAVAILABLE,
                            "GET /" + path + ": gateway answered " + response.getCode().text + " " + response.getCode().name()
                                    + (response.getResponseText().isEmpty() ? "" : ": " + response.getResponseText())));
                } else if (response.getPayload().length > maxBytes) {
                    f.completeExceptionally(new UplinkException(Failure.REJECTED, "GET /" + path + ": " + response.getPayload().length
                            + " bytes, more than the " + maxBytes + " expected"));
                } else {
                    f.complete(response.getPayload());
                }
            }

            @Override
            public void onError() {
                f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "GET /" + path + ": no answer (or the body"
                        + " exceeded " + MAX_DOWNLOAD_BYTES + " bytes)"));
            }
        }, get);
        return f;
    }

    /**
     * How to authenticate a {@code coaps://} uplink: the device PSK, or the device key pair with the
     * gateway's pinned raw public key. Call before {@link #start}.
     */
    public void useDtls(DtlsCredentials credentials) {
        if (!isDtls()) {
            throw new IllegalStateException("DTLS needs a coaps:// server, not " + server);
        }
        this.dtls = java.util.Objects.requireNonNull(credentials, "credentials");
    }

    private boolean isDtls() {
        return server.getScheme().equals("coaps");
    }

    @Override
    public synchronized void start(UplinkListener uplinkListener) {
        if (endpoint != null) {
            throw new IllegalStateException("already started");
        }
        if (isDtls() && dtls == null) {
            throw new UplinkException(Failure.UNAVAILABLE, "CoAP over DTLS (" + server + ") needs the device's DTLS"
                    + " credentials (useDtls)");
        }
        this.listener = uplinkListener;
        scheduler = NamedThreads.scheduler("fl-coap-" + deviceId);
        CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(config).setLoggingTag(deviceId);
        if (isDtls()) {
            dtlsConnector = DtlsClients.connector(config, deviceId, dtls);
            builder.setConnector(dtlsConnector);
        } else {
            builder.setInetSocketAddress(new InetSocketAddress(0));
        }
        endpoint = builder.build();
        endpoint.setExecutors(scheduler, scheduler);
        try {
            endpoint.start();
        } catch (java.io.IOException e) {
            scheduler.shutdownNow();
            throw new UplinkException(Failure.UNAVAILABLE, "cannot open a UDP socket for CoAP: " + e.getMessage(), e);
        }
        client = new CoapClient();
        client.setEndpoint(endpoint);
        reconnector = new Reconnector("coap " + deviceId, policy, scheduler, this::observeOnce, new Random());
        reconnector.trigger();
    }

    private String uri(MessageKind kind) {
        return server.getScheme() + "://" + server.getHost() + ":" + server.getPort() + "/" + CoapResources.path(deviceId, kind);
    }

    /** One connection attempt: (re-)establish the command observation; done at the first answer. */
    private CompletableFuture<Void> observeOnce() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "closed"));
            return done;
        }
        CoapObserveRelation old = relation;
        if (old != null) {
            old.reactiveCancel();
        }
        Request get = Request.newGet();
        get.setURI(uri(MessageKind.COMMAND));
        get.setObserve();
        get.getOptions().setAccept(format.coapContentFormat(MessageKind.COMMAND));
        relation = client.observe(get, new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (done.complete(null)) {
                    if (!response.isSuccess()) {
                        log.warn("agent {}: gateway refused the command observation: {}", deviceId, response.getCode());
                    }
                    markConnected();
                }
                if (response.isSuccess()) {
                    command(response);
                }
            }

            @Override
            public void onError() {
                if (!done.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "observe request failed"))) {
                    connectionLost("command observation lost");
                }
            }
        });
        return done;
    }

    private void command(CoapResponse response) {
        byte[] payload = response.getPayload();
        if (payload == null || payload.length == 0) {
            return;
        }
        int cf = response.getOptions().getContentFormat();
        PayloadFormat fmt = PayloadFormat.fromCoapContentFormat(MessageKind.COMMAND, cf)
                .or(() -> PayloadFormat.sniff(payload)).orElse(format);
        Command c;
        try {
            c = codec.decodeCommand(payload, fmt);
        } catch (DecodeException e) {
            log.warn("agent {}: ignoring undecodable command notification: {}", deviceId, e.getMessage());
            return;
        }
        listener.command(c);
    }

    private void markConnected() {
        if (closed) {
            return;
        }
        connected = true;
        log.info("agent {} connected to {}", deviceId, server);
        listener.connected();
    }

    private void connectionLost(String cause) {
        boolean was;
        synchronized (this) {
            was = connected;
            connected = false;
        }
        if (closed) {
            return;
        }
        if (was) {
            log.info("agent {} disconnected from {}: {}", deviceId, server, cause);
            listener.disconnected(cause);
        }
        if (dtlsConnector != null) {
            // the gateway may have restarted or dropped the session: the next request handshakes afresh
            dtlsConnector.clearConnectionState();
        }
        reconnector.trigger();
    }

    @Override
    public CompletableFuture<Void> send(MessageKind kind, byte[] payload) {
        if (!kind.isUplink()) {
            throw new IllegalArgumentException("kind must be an uplink kind, was " + kind);
        }
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!connected || closed) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "not connected"));
            return f;
        }
        Request post = Request.newPost();
        post.setConfirmable(true);
        post.setURI(uri(kind));
        post.getOptions().setContentFormat(format.coapContentFormat(kind, payload));
        post.setPayload(payload);
        pending.add(f);
        f.whenComplete((v, e) -> pending.remove(f));
        client.advanced(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                CoAP.ResponseCode code = response.getCode();
                if (code.isSuccess()) {
                    f.complete(null);
                } else if (code.isClientError()) {
                    f.completeExceptionally(new UplinkException(Failure.REJECTED,
                            "gateway answered " + code.text + " " + code.name() + (response.getResponseText().isEmpty() ? "" : ": " + response.getResponseText())));
                } else {
                    f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "gateway answered " + code));
                }
            }

            @Override
            public void onError() {
                f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "no answer to POST " + kind.suffix()));
                connectionLost("POST timed out");
            }
        }, post);
        return f;
    }

    /**
     * Federated learning over CoAP: {@code fl/join} and {@code fl/update} are confirmable POSTs (an update
     * chunk block-wise, Block1), a fetch is {@code GET fl/chunk?v=&i=} (the chunk block-wise, Block2); the
     * future completes with the response's task, chunk or receipt, if it has one.
     */
    @Override
    public CompletableFuture<Optional<FlMessage>> sendFederated(FlMessage message) {
        CompletableFuture<Optional<FlMessage>> f = new CompletableFuture<>();
        if (!connected || closed) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "not connected"));
            return f;
        }
        String base = server.getScheme() + "://" + server.getHost() + ":" + server.getPort() + "/";
        Request request;
        FlKind answerKind;
        if (message instanceof FlMessage.Fetch fetch) {
            request = Request.newGet();
            request.setURI(base + FlAddresses.coapPath(deviceId, FlKind.CHUNK) + "?v=" + fetch.version() + "&i=" + fetch.index());
            request.getOptions().setAccept(format.coapContentFormat(MessageKind.EVENT));
            answerKind = FlKind.CHUNK;
        } else if (message.kind().isUplink()) {
            request = Request.newPost();
            request.setURI(base + FlAddresses.coapPath(deviceId, message.kind()));
            request.getOptions().setContentFormat(format.coapContentFormat(MessageKind.EVENT));
            request.setPayload(flCodec.encode(message, format));
            answerKind = message.kind() == FlKind.JOIN ? FlKind.TASK : FlKind.RECEIPT;
        } else {
            throw new IllegalArgumentException("kind must be an uplink kind, was " + message.kind());
        }
        request.setConfirmable(true);
        client.advanced(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                CoAP.ResponseCode code = response.getCode();
                byte[] payload = response.getPayload();
                if (code == CoAP.ResponseCode.CONTENT && payload != null && payload.length > 0) {
                    PayloadFormat fmt = PayloadFormat.fromCoapContentFormat(MessageKind.EVENT,
                            response.getOptions().getContentFormat()).orElse(format);
                    try {
                        f.complete(Optional.of(flCodec.decode(answerKind, deviceId, payload, fmt)));
                    } catch (DecodeException e) {
                        f.completeExceptionally(new UplinkException(Failure.REJECTED, "undecodable "
                                + answerKind.suffix() + ": " + e.getMessage(), e));
                    }
                } else if (code.isSuccess()) {
                    f.complete(Optional.empty());
                } else {
                    f.completeExceptionally(new UplinkException(code.isClientError() ? Failure.REJECTED : Failure.UNAVAILABLE,
                            "gateway answered " + code.text + " " + code.name() + ": " + response.getResponseText()));
                }
            }

            @Override
            public void onError() {
                f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "no answer to " + message.kind().suffix()));
            }
        }, request);
        return f;
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    public int maxInFlight() {
        return 1;
    }

    @Override
    public long reconnects() {
        Reconnector r = reconnector;
        return r == null ? 0 : r.reconnects();
    }

    @Override
    public String describe() {
        return (dtls == null ? "coap " : "coap (DTLS " + (dtls instanceof DtlsCredentials.Psk ? "psk" : "rpk") + ") ") + server;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        connected = false;
        if (reconnector != null) {
            reconnector.close();
        }
        CoapObserveRelation r = relation;
        if (r != null) {
            r.reactiveCancel();
        }
        if (client != null) {
            client.shutdown();
        }
        if (endpoint != null) {
            endpoint.destroy();
        }
        for (CompletableFuture<Void> f : pending) {
            f.completeExceptionally(new UplinkException(Failure.UNAVAILABLE, "uplink closed"));
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }
}
