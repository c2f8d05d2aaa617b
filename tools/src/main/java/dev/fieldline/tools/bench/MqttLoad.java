package dev.fieldline.tools.bench;

import dev.fieldline.agent.uplink.NoDelaySocketFactory;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.ToLongBiFunction;
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

/**
 * Simulated devices publishing QoS 1 telemetry over MQTT (Paho v5), one client and one thread per
 * device, each keeping up to {@link LoadShape#inflight()} messages unacknowledged, as fast as that
 * allows or {@link #paced at a rate}. Latency runs from publish to the PUBACK, or to where
 * {@link Arrivals} see the message arrive: a subscriber ({@link #throughSubscriber}), a webhook.
 */
final class MqttLoad {
    private static final long WAIT_MILLIS = 10_000;

    private final LoadShape shape;
    private final String url;
    private final IntFunction<MqttConnectionOptions> options;
    private final Payloads payloads;
    private final String contentType;
    private final Optional<Arrivals> arrivals;
    private final long intervalNanos;

    /**
     * Where a run's messages are seen to arrive when its latency does not end at the PUBACK.
     */
    interface Arrivals {
        /**
         * Starts watching for the run's messages; each arrival is reported once to
         * {@code sink.arrived(device, seq, System.nanoTime())}. The watch is closed after the run.
         */
        AutoCloseable watch(ArrivalSink sink) throws Exception;

        /** How many of one device's messages 1..{@code messages} arrive. */
        long expected(int messages);
    }

    @FunctionalInterface
    interface ArrivalSink {
        void arrived(int device, int seq, long nanos);
    }

    /**
     * @param options the connection options of device {@code d} (credentials, socket factory)
     * @param contentType the MQTT 5 content type of every message
     */
    MqttLoad(LoadShape shape, String url, IntFunction<MqttConnectionOptions> options, Payloads payloads, String contentType) {
        this(shape, url, options, payloads, contentType, Optional.empty(), 0);
    }

    private MqttLoad(LoadShape shape, String url, IntFunction<MqttConnectionOptions> options, Payloads payloads,
            String contentType, Optional<Arrivals> arrivals, long intervalNanos) {
        this.shape = shape;
        this.url = url;
        this.options = options;
        this.payloads = payloads;
        this.contentType = contentType;
        this.arrivals = arrivals;
        this.intervalNanos = intervalNanos;
    }

    /**
     * The same load, measured at a subscriber to every device's telemetry (on the same server) instead
     * of at the PUBACK; {@code seqOf(deviceId, payload)} reads a received message's sequence number.
     */
    MqttLoad throughSubscriber(ToLongBiFunction<String, byte[]> seqOf) {
        return through(new SubscriberArrivals(seqOf));
    }

    /** The same load, measured where {@code arrivals} see the messages arrive instead of at the PUBACK. */
    MqttLoad through(Arrivals arrivals) {
        return new MqttLoad(shape, url, options, payloads, contentType, Optional.of(arrivals), intervalNanos);
    }

    /**
     * The same load at {@code messagesPerSecond} in total (each device sends at its share of the rate,
     * still within its in-flight window); latency then runs from each message's actual publish.
     */
    MqttLoad paced(double messagesPerSecond) {
        if (!(messagesPerSecond > 0)) {
            throw new IllegalArgumentException("rate must be > 0 messages/s, was " + messagesPerSecond);
        }
        return new MqttLoad(shape, url, options, payloads, contentType, arrivals,
                Math.round(shape.devices() * 1e9 / messagesPerSecond));
    }

    /** Plain TCP options with TCP_NODELAY, clean start, no reconnect: what every device starts from. */
    static MqttConnectionOptions baseOptions() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(60);
        o.setSocketFactory(new NoDelaySocketFactory());
        return o;
    }

    /** An unmeasured warm-up of {@code warmup} messages per device (boot {@code bootId + 1000}), then the measured run. */
    LatencyRecorder.Result measure(String name, long bootId, int warmup, int messages) throws Exception {
        if (warmup > 0) {
            run(bootId + 1000, warmup);
        }
        return run(bootId, messages).result(name, expected(messages));
    }

    /** How many latencies a run of {@code messages} per device records. */
    long expected(int messages) {
        return shape.devices() * arrivals.map(a -> a.expected(messages)).orElse((long) messages);
    }

    LatencyRecorder run(long bootId, int messages) throws Exception {
        int devices = shape.devices();
        long total = expected(messages);
        LatencyRecorder latency = new LatencyRecorder();
        long[][] sentAt = new long[devices][messages + 1];
        AtomicLong failures = new AtomicLong();
        AutoCloseable watch = null;
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            if (arrivals.isPresent()) {
                watch = arrivals.get().watch((device, seq, nanos) -> {
                    if (device >= 0 && device < devices && seq >= 1 && seq <= messages && sentAt[device][seq] != 0) {
                        latency.record(sentAt[device][seq], nanos);
                    }
                });
            }
            for (int d = 0; d < devices; d++) {
                MqttAsyncClient c = client(shape.deviceId(d));
                clients.add(c);
                c.connect(options.apply(d)).waitForCompletion(WAIT_MILLIS);
            }
            for (int d = 0; d < devices; d++) {
                int device = d;
                MqttAsyncClient c = clients.get(d);
                threads.add(new Thread(() -> publishAll(c, device, bootId, messages, latency, sentAt, failures),
                        "bench-pub-" + d));
            }
            threads.forEach(Thread::start);
            shape.await(() -> latency.count() + failures.get(), total);
        } finally {
            for (Thread t : threads) {
                t.interrupt();
                t.join(5_000);
            }
            clients.forEach(MqttLoad::closeQuietly);
            if (watch != null) {
                watch.close();
            }
        }
        if (failures.get() > 0) {
            System.out.println("  " + failures.get() + " publishes failed or were refused");
        }
        return latency;
    }

    private void publishAll(MqttAsyncClient c, int device, long bootId, int messages, LatencyRecorder latency,
            long[][] sentAt, AtomicLong failures) {
        Semaphore window = new Semaphore(shape.inflight());
        String topic = Topics.topic(shape.deviceId(device), MessageKind.TELEMETRY);
        MqttProperties props = new MqttProperties();
        props.setContentType(contentType);
        boolean atPubAck = arrivals.isEmpty();
        long start = System.nanoTime();
        try {
            for (int seq = 1; seq <= messages; seq++) {
                if (intervalNanos > 0) {
                    long wait = start + (seq - 1) * intervalNanos - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                window.acquire();
                MqttMessage m = new MqttMessage(payloads.payload(device, bootId, seq), 1, false, props);
                long sent = System.nanoTime();
                latency.started(sent);
                sentAt[device][seq] = sent;
                c.publish(topic, m, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        int[] codes = token.getReasonCodes();
                        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                            failures.incrementAndGet();
                        } else if (atPubAck) {
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

    /** A subscriber to every device's telemetry on the same server: latency from publish to receipt. */
    private final class SubscriberArrivals implements Arrivals {
        private final ToLongBiFunction<String, byte[]> seqOf;

        SubscriberArrivals(ToLongBiFunction<String, byte[]> seqOf) {
            this.seqOf = seqOf;
        }

        @Override
        public AutoCloseable watch(ArrivalSink sink) throws MqttException {
            MqttAsyncClient subscriber = client("bench-subscriber");
            try {
                subscriber.setCallback(new Receiver(sink, seqOf));
                subscriber.connect(baseOptions()).waitForCompletion(WAIT_MILLIS);
                subscriber.subscribe(Topics.allDevices(MessageKind.TELEMETRY), 1).waitForCompletion(WAIT_MILLIS);
            } catch (MqttException | RuntimeException e) {
                closeQuietly(subscriber);
                throw e;
            }
            return () -> closeQuietly(subscriber);
        }

        @Override
        public long expected(int messages) {
            return messages;
        }
    }

    private final class Receiver implements MqttCallback {
        private final ArrivalSink sink;
        private final ToLongBiFunction<String, byte[]> seqOf;

        Receiver(ArrivalSink sink, ToLongBiFunction<String, byte[]> seqOf) {
            this.sink = sink;
            this.seqOf = seqOf;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long now = System.nanoTime();
            Topics.parse(topic).ifPresent(address -> sink.arrived(shape.deviceIndex(address.deviceId()),
                    (int) seqOf.applyAsLong(address.deviceId(), message.getPayload()), now));
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

    private MqttAsyncClient client(String clientId) throws MqttException {
        return new MqttAsyncClient(url, clientId, new MemoryPersistence());
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
}
