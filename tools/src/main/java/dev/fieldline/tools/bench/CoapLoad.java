package dev.fieldline.tools.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * Simulated devices POSTing confirmable telemetry over CoAP (Californium), one endpoint and one
 * thread per device, each keeping up to {@link LoadShape#inflight()} requests unanswered. Latency
 * runs from the POST to the response, which the gateway sends after the commit.
 */
final class CoapLoad {
    private final LoadShape shape;
    private final IntFunction<CoapEndpoint> endpoints;
    private final String baseUri;
    private final Payloads payloads;
    private final int contentFormat;

    /**
     * @param endpoints a new endpoint for device {@code d} (plain UDP or DTLS); destroyed after each run
     * @param baseUri {@code coap://host:port} or {@code coaps://host:port}
     */
    CoapLoad(LoadShape shape, IntFunction<CoapEndpoint> endpoints, String baseUri, Payloads payloads, int contentFormat) {
        this.shape = shape;
        this.endpoints = endpoints;
        this.baseUri = baseUri;
        this.payloads = payloads;
        this.contentFormat = contentFormat;
    }

    /** Californium configuration for a device endpoint: {@code inflight} exchanges at once (NSTART). */
    static Configuration configuration(LoadShape shape) {
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.NSTART, shape.inflight());
        config.set(CoapConfig.MAX_ACTIVE_PEERS, 16);
        return config;
    }

    /** Plain UDP endpoints on loopback. */
    static IntFunction<CoapEndpoint> plainEndpoints(LoadShape shape) {
        Configuration config = configuration(shape);
        return device -> CoapEndpoint.builder()
                .setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .build();
    }

    /** An unmeasured warm-up of {@code warmup} messages per device (boot {@code bootId + 1000}), then the measured run. */
    LatencyRecorder.Result measure(String name, long bootId, int warmup, int messages) throws Exception {
        if (warmup > 0) {
            run(bootId + 1000, warmup);
        }
        return run(bootId, messages).result(name, (long) shape.devices() * messages);
    }

    LatencyRecorder run(long bootId, int messages) throws Exception {
        int devices = shape.devices();
        long total = (long) devices * messages;
        LatencyRecorder latency = new LatencyRecorder();
        List<CoapClient> clients = new ArrayList<>();
        List<CoapEndpoint> created = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        try {
            for (int d = 0; d < devices; d++) {
                CoapEndpoint endpoint = endpoints.apply(d);
                created.add(endpoint);
                CoapClient c = new CoapClient();
                c.setEndpoint(endpoint);
                clients.add(c);
            }
            for (int d = 0; d < devices; d++) {
                int device = d;
                CoapClient c = clients.get(d);
                URI uri = URI.create(baseUri + "/v1/d/" + shape.deviceId(d) + "/telemetry");
                threads.add(new Thread(() -> postAll(c, uri, device, bootId, messages, latency, failures), "bench-coap-" + d));
            }
            threads.forEach(Thread::start);
            shape.await(() -> latency.count() + failures.get(), total);
        } finally {
            for (Thread t : threads) {
                t.interrupt();
                t.join(5_000);
            }
            clients.forEach(CoapClient::shutdown);
            created.forEach(CoapEndpoint::destroy);
        }
        if (failures.get() > 0) {
            System.out.println("  " + failures.get() + " CoAP requests failed or were refused");
        }
        return latency;
    }

    private void postAll(CoapClient c, URI uri, int device, long bootId, int messages, LatencyRecorder latency,
            AtomicLong failures) {
        Semaphore window = new Semaphore(shape.inflight());
        try {
            for (int seq = 1; seq <= messages; seq++) {
                window.acquire();
                Request r = Request.newPost();
                r.setURI(uri);
                r.setPayload(payloads.payload(device, bootId, seq));
                r.getOptions().setContentFormat(contentFormat);
                long sent = System.nanoTime();
                latency.started(sent);
                c.advanced(new CoapHandler() {
                    @Override
                    public void onLoad(CoapResponse response) {
                        if (response.isSuccess()) {
                            latency.record(sent, System.nanoTime());
                        } else {
                            failures.incrementAndGet();
                        }
                        window.release();
                    }

                    @Override
                    public void onError() {
                        failures.incrementAndGet();
                        window.release();
                    }
                }, r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
