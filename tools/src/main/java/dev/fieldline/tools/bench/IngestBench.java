package dev.fieldline.tools.bench;

import dev.fieldline.agent.uplink.NoDelaySocketFactory;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Topics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * N simulated devices publish sequenced telemetry to an in-process gateway over MQTT (QoS 1), then
 * over CoAP (confirmable POST); latency runs from publish to the acknowledgement, which the gateway
 * sends only after the message is committed to its store, so it is publish-to-stored. The same MQTT
 * load then goes through a real Mosquitto to a subscriber, and the ratio is printed.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Devices publishing to the gateway over MQTT and CoAP; messages/s stored and p50/p99 publish-to-stored latency, "
                + "with the same MQTT load through Mosquitto to a subscriber for comparison.")
public final class IngestBench implements Callable<Integer> {

    @Option(names = "--devices", description = "Simulated devices (default: ${DEFAULT-VALUE}).")
    int devices = 10;

    @Option(names = "--messages", description = "Messages per device (default: ${DEFAULT-VALUE}).")
    int messages = 5000;

    @Option(names = "--readings", description = "Readings per message (default: ${DEFAULT-VALUE}).")
    int readings = 1;

    @Option(names = "--inflight", description = "Unacknowledged messages per device (default: ${DEFAULT-VALUE}).")
    int inflight = 32;

    @Option(names = "--format", description = "Payload format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    PayloadFormat format = PayloadFormat.CBOR;

    @Option(names = "--transports", split = ",", description = "Which runs: mqtt, coap, mosquitto (default: ${DEFAULT-VALUE}).")
    List<String> transports = List.of("mqtt", "coap", "mosquitto");

    @Option(names = "--mosquitto", paramLabel = "PATH", description = "Mosquitto binary for the comparison run (default: found on PATH or in /usr/sbin).")
    Path mosquittoBinary;

    @Option(names = "--warmup", description = "Messages per device sent before each measured run, not counted (default: ${DEFAULT-VALUE}).")
    int warmup = 500;

    @Option(names = "--timeout", description = "Give up on a run after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout = Duration.ofMinutes(3);

    private final SenmlCodec codec = new SenmlCodec();

    @Override
    public Integer call() throws Exception {
        long total = (long) devices * messages;
        byte[] sample = payload(0, 1, 1);
        System.out.printf(Locale.ROOT, "bench ingest: %d devices x %d messages = %d, %d reading(s) per message (%s, %d bytes), "
                        + "%d in flight per device; %d cores, Java %s%n",
                devices, messages, total, readings, format, sample.length, inflight,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.println(LatencyRecorder.Result.header());
        List<LatencyRecorder.Result> results = new ArrayList<>();
        Path dir = Files.createTempDirectory("fieldline-bench");
        try {
            if (transports.contains("mqtt") || transports.contains("coap")) {
                GatewayConfig config = GatewayConfig.defaults(dir.resolve("gateway"))
                        .withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(0)
                        .withCoapsPort(-1).withMqttsPort(-1);
                try (Gateway gateway = Gateway.start(config)) {
                    if (transports.contains("mqtt")) {
                        InetSocketAddress a = gateway.mqttAddress().orElseThrow();
                        results.add(print(mqtt("mqtt -> gateway (stored)", "tcp://127.0.0.1:" + a.getPort(), false, 1)));
                        System.out.printf(Locale.ROOT, "  gateway counted %d stored over MQTT%n",
                                gateway.metrics().get("ingest_stored_total", "transport", "mqtt"));
                    }
                    if (transports.contains("coap")) {
                        InetSocketAddress a = gateway.coapAddress().orElseThrow();
                        results.add(print(coap("coap -> gateway (stored)", a.getPort(), 2)));
                        System.out.printf(Locale.ROOT, "  gateway counted %d stored over CoAP%n",
                                gateway.metrics().get("ingest_stored_total", "transport", "coap"));
                    }
                }
            }
            if (transports.contains("mosquitto")) {
                Optional<Path> binary = mosquittoBinary != null ? Optional.of(mosquittoBinary) : MosquittoProcess.find();
                if (binary.isEmpty()) {
                    System.out.println("mosquitto not found: skipping the comparison run (install Debian package 'mosquitto')");
                } else {
                    try (MosquittoProcess broker = MosquittoProcess.start(binary.get(), dir.resolve("mosquitto"))) {
                        results.add(print(mqtt("mqtt -> mosquitto -> subscriber", broker.url(), true, 1)));
                    }
                }
            }
        } finally {
            deleteQuietly(dir);
        }
        LatencyRecorder.Result gw = find(results, "mqtt -> gateway");
        LatencyRecorder.Result mq = find(results, "mqtt -> mosquitto");
        if (gw != null && mq != null) {
            System.out.printf(Locale.ROOT, "ratio gateway/mosquitto: throughput %.2f, p50 latency %.2f, p99 latency %.2f%n",
                    gw.perSecond() / mq.perSecond(), gw.p50Millis() / mq.p50Millis(), gw.p99Millis() / mq.p99Millis());
        }
        boolean complete = results.stream().allMatch(r -> r.completed() == r.expected());
        if (!complete) {
            System.out.println("INCOMPLETE: some runs did not finish within " + timeout);
        }
        return complete ? 0 : 1;
    }

    private static LatencyRecorder.Result find(List<LatencyRecorder.Result> results, String prefix) {
        return results.stream().filter(r -> r.name().startsWith(prefix)).findFirst().orElse(null);
    }

    private static LatencyRecorder.Result print(LatencyRecorder.Result r) {
        System.out.println(r.row());
        return r;
    }

    private String deviceId(int d) {
        return String.format(Locale.ROOT, "bench-%04d", d);
    }

    private byte[] payload(int device, long bootId, long seq) {
        Instant now = Instant.now();
        List<Reading> rs = new ArrayList<>(readings);
        for (int i = 0; i < readings; i++) {
            rs.add(Reading.of(i == 0 ? "temperature" : "temperature" + i, "Cel", 20 + (seq % 100) / 10.0, now));
        }
        return codec.encode(new Telemetry(deviceId(device), new Sequence(bootId, seq), rs), format);
    }

    // ------------------------------------------------------------------ MQTT

    private LatencyRecorder.Result mqtt(String name, String url, boolean viaSubscriber, long bootId) throws Exception {
        if (warmup > 0) {
            mqtt(url, viaSubscriber, bootId + 1000, warmup);
        }
        return mqtt(url, viaSubscriber, bootId, messages).result(name, (long) devices * messages);
    }

    private LatencyRecorder mqtt(String url, boolean viaSubscriber, long bootId, int messages) throws Exception {
        long total = (long) devices * messages;
        LatencyRecorder latency = new LatencyRecorder();
        long[][] sentAt = new long[devices][messages + 1];
        MqttAsyncClient subscriber = null;
        if (viaSubscriber) {
            subscriber = client(url, "bench-subscriber");
            subscriber.setCallback(new Receiver(latency, sentAt));
            subscriber.connect(options()).waitForCompletion(10_000);
            subscriber.subscribe(Topics.allDevices(MessageKind.TELEMETRY), 1).waitForCompletion(10_000);
        }
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        try {
            for (int d = 0; d < devices; d++) {
                MqttAsyncClient c = client(url, deviceId(d));
                c.connect(options()).waitForCompletion(10_000);
                clients.add(c);
            }
            for (int d = 0; d < devices; d++) {
                int device = d;
                MqttAsyncClient c = clients.get(d);
                Thread t = new Thread(() -> publishAll(c, device, bootId, messages, latency, sentAt, viaSubscriber, failures),
                        "bench-pub-" + d);
                threads.add(t);
            }
            threads.forEach(Thread::start);
            awaitCount(latency, total);
        } finally {
            for (Thread t : threads) {
                t.interrupt();
                t.join(5_000);
            }
            for (MqttAsyncClient c : clients) {
                closeQuietly(c);
            }
            if (subscriber != null) {
                closeQuietly(subscriber);
            }
        }
        if (failures.get() > 0) {
            System.out.println("  " + failures.get() + " publish failures");
        }
        return latency;
    }

    private void publishAll(MqttAsyncClient c, int device, long bootId, int messages, LatencyRecorder latency,
            long[][] sentAt, boolean viaSubscriber, AtomicLong failures) {
        Semaphore window = new Semaphore(inflight);
        String topic = Topics.topic(deviceId(device), MessageKind.TELEMETRY);
        MqttProperties props = new MqttProperties();
        props.setContentType(format.mediaType(MessageKind.TELEMETRY));
        try {
            for (int seq = 1; seq <= messages; seq++) {
                window.acquire();
                MqttMessage m = new MqttMessage(payload(device, bootId, seq), 1, false, props);
                long sent = System.nanoTime();
                latency.started(sent);
                sentAt[device][seq] = sent;
                c.publish(topic, m, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        if (!viaSubscriber) {
                            latency.record(sent, System.nanoTime());
                        }
                        window.release();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        failures.incrementAndGet();
                        window.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (MqttException e) {
            failures.incrementAndGet();
            System.out.println("  publisher " + device + " stopped: " + e);
        }
    }

    /** The subscriber side of the Mosquitto run: latency from publish to receipt. */
    private final class Receiver implements MqttCallback {
        private final LatencyRecorder latency;
        private final long[][] sentAt;

        Receiver(LatencyRecorder latency, long[][] sentAt) {
            this.latency = latency;
            this.sentAt = sentAt;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long now = System.nanoTime();
            Topics.parse(topic).ifPresent(address -> {
                Telemetry t = codec.decodeTelemetry(address.deviceId(), message.getPayload(), format);
                int device = Integer.parseInt(address.deviceId().substring("bench-".length()));
                int seq = (int) t.sequence().orElseThrow().seq();
                latency.record(sentAt[device][seq], now);
            });
        }

        @Override
        public void disconnected(MqttDisconnectResponse r) {
        }

        @Override
        public void mqttErrorOccurred(MqttException e) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }

    private static MqttAsyncClient client(String url, String clientId) throws MqttException {
        return new MqttAsyncClient(url, clientId, new MemoryPersistence());
    }

    private static MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(60);
        o.setSocketFactory(new NoDelaySocketFactory());
        return o;
    }

    private static void closeQuietly(MqttAsyncClient c) {
        try {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(5_000);
            }
            c.close();
        } catch (MqttException e) {
            // closing after the measurement; nothing to report
        }
    }

    // ------------------------------------------------------------------ CoAP

    private LatencyRecorder.Result coap(String name, int port, long bootId) throws Exception {
        if (warmup > 0) {
            coap(port, bootId + 1000, warmup);
        }
        return coap(port, bootId, messages).result(name, (long) devices * messages);
    }

    private LatencyRecorder coap(int port, long bootId, int messages) throws Exception {
        long total = (long) devices * messages;
        LatencyRecorder latency = new LatencyRecorder();
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.NSTART, inflight);
        config.set(CoapConfig.MAX_ACTIVE_PEERS, 16);
        List<CoapClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicLong failures = new AtomicLong();
        try {
            for (int d = 0; d < devices; d++) {
                CoapEndpoint endpoint = CoapEndpoint.builder()
                        .setConfiguration(config)
                        .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .build();
                CoapClient c = new CoapClient();
                c.setEndpoint(endpoint);
                clients.add(c);
            }
            for (int d = 0; d < devices; d++) {
                int device = d;
                CoapClient c = clients.get(d);
                URI uri = URI.create("coap://127.0.0.1:" + port + "/v1/d/" + deviceId(d) + "/telemetry");
                threads.add(new Thread(() -> postAll(c, uri, device, bootId, messages, latency, failures), "bench-coap-" + d));
            }
            threads.forEach(Thread::start);
            awaitCount(latency, total);
        } finally {
            for (Thread t : threads) {
                t.interrupt();
                t.join(5_000);
            }
            for (CoapClient c : clients) {
                c.shutdown();
            }
        }
        if (failures.get() > 0) {
            System.out.println("  " + failures.get() + " CoAP requests failed or were refused");
        }
        return latency;
    }

    private void postAll(CoapClient c, URI uri, int device, long bootId, int messages, LatencyRecorder latency,
            AtomicLong failures) {
        Semaphore window = new Semaphore(inflight);
        int contentFormat = format.coapContentFormat(MessageKind.TELEMETRY);
        try {
            for (int seq = 1; seq <= messages; seq++) {
                window.acquire();
                byte[] body = payload(device, bootId, seq);
                Request r = Request.newPost();
                r.setURI(uri);
                r.setPayload(body);
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

    private void awaitCount(LatencyRecorder latency, long total) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (latency.count() < total && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp data of a benchmark
        }
    }
}
