package dev.fieldline.tools.bench;

import dev.fieldline.agent.uplink.NoDelaySocketFactory;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
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
 * device, each keeping up to {@link LoadShape#inflight()} messages unacknowledged. Latency runs from
 * publish to the PUBACK, or, through a subscriber, from publish to receipt.
 */
final class MqttLoad {
    private static final long WAIT_MILLIS = 10_000;

    private final LoadShape shape;
    private final String url;
    private final IntFunction<MqttConnectionOptions> options;
    private final Payloads payloads;
    private final String contentType;
    private final Optional<ToLongBiFunction<String, byte[]>> subscriberSeq;

    /**
     * @param options the connection options of device {@code d} (credentials, socket factory)
     * @param contentType the MQTT 5 content type of every message
     */
    MqttLoad(LoadShape shape, String url, IntFunction<MqttConnectionOptions> options, Payloads payloads, String contentType) {
        this(shape, url, options, payloads, contentType, Optional.empty());
    }

    private MqttLoad(LoadShape shape, String url, IntFunction<MqttConnectionOptions> options, Payloads payloads,
            String contentType, Optional<ToLongBiFunction<String, byte[]>> subscriberSeq) {
        this.shape = shape;
        this.url = url;
        this.options = options;
        this.payloads = payloads;
        this.contentType = contentType;
        this.subscriberSeq = subscriberSeq;
    }

    /**
     * The same load, measured at a subscriber to every device's telemetry (on the same server) instead
     * of at the PUBACK; {@code seqOf(deviceId, payload)} reads a received message's sequence number.
     */
    MqttLoad throughSubscriber(ToLongBiFunction<String, byte[]> seqOf) {
        return new MqttLoad(shape, url, options, payloads, contentType, Optional.of(seqOf));
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
        return run(bootId, messages).result(name, (long) shape.devices() * messages);
    }

    LatencyRecorder run(long bootId, int messages) throws Exception {
        int devices = shape.devices();
        long total = (long) devices * messages;
        LatencyRecorder latency = new LatencyRecorder();
        long[][] sentAt = new long[devices][messages + 1];
        AtomicLong failures = new AtomicLong();
        MqttAsyncClient subscriber = null;
        List<MqttAsyncClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        try {
            if (subscriberSeq.isPresent()) {
                subscriber = client("bench-subscriber");
                subscriber.setCallback(new Receiver(latency, sentAt, subscriberSeq.get()));
                subscriber.connect(baseOptions()).waitForCompletion(WAIT_MILLIS);
                subscriber.subscribe(Topics.allDevices(MessageKind.TELEMETRY), 1).waitForCompletion(WAIT_MILLIS);
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
            if (subscriber != null) {
                closeQuietly(subscriber);
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
        boolean atPubAck = subscriberSeq.isEmpty();
        try {
            for (int seq = 1; seq <= messages; seq++) {
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

    /** The subscriber side: latency from publish to receipt. */
    private final class Receiver implements MqttCallback {
        private final LatencyRecorder latency;
        private final long[][] sentAt;
        private final ToLongBiFunction<String, byte[]> seqOf;

        Receiver(LatencyRecorder latency, long[][] sentAt, ToLongBiFunction<String, byte[]> seqOf) {
            this.latency = latency;
            this.sentAt = sentAt;
            this.seqOf = seqOf;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            long now = System.nanoTime();
            Topics.parse(topic).ifPresent(address -> {
                int seq = (int) seqOf.applyAsLong(address.deviceId(), message.getPayload());
                latency.record(sentAt[shape.deviceIndex(address.deviceId())][seq], now);
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
