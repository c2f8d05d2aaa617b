package dev.fieldline.gateway.cloud;

import dev.fieldline.gateway.cloud.CloudSyncConfig.MqttTarget;
import dev.fieldline.gateway.mqtt.NoDelaySocketFactory;
import dev.fieldline.gateway.mqtt.PahoClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes each record at QoS 1 to {@code {prefix}/{deviceId}/{kind}} on an upstream MQTT 5 broker
 * (Eclipse Paho), payload the record's JSON (with its {@code id}, also in the {@code record-id} user
 * property). A window of up to {@code max-in-flight} publishes (capped by the broker's Receive
 * Maximum) is outstanding; a record counts as confirmed only when its PUBACK and those of every record
 * before it have arrived, so what leaves the outbox is always a prefix. After a loss, the unconfirmed
 * rest is published again, in order, on a new connection: a subscriber may then see a record twice
 * (same id), never out of order relative to its first copy.
 *
 * <p>A new Paho client per connection (clean start, no automatic reconnect, in-memory persistence):
 * Paho 1.2.5 reusing a client resends in-flight publishes with the previous connection's topic alias
 * and can stall its sender after a loss (see {@code BrokerIngest}).
 */
final class MqttCloudTransport implements CloudTransport {
    private static final Logger LOG = LoggerFactory.getLogger(MqttCloudTransport.class);
    private static final int KEEP_ALIVE_SECONDS = 30;

    private final MqttTarget target;
    private final Optional<SSLSocketFactory> tls;
    private MqttAsyncClient client;
    private int window;

    MqttCloudTransport(MqttTarget target, Optional<SSLSocketFactory> tls) {
        this.target = target;
        this.tls = tls;
    }

    /** The topic a record goes to; empty when its device id or kind cannot be a topic level. */
    static Optional<String> topic(String prefix, String deviceId, String kind) {
        for (String level : List.of(deviceId, kind)) {
            if (level.isEmpty() || level.contains("/") || level.contains("+") || level.contains("#") || level.contains("\0")) {
                return Optional.empty();
            }
        }
        return Optional.of(prefix + "/" + deviceId + "/" + kind);
    }

    @Override
    public SendOutcome send(CloudOutbox.Batch batch) throws InterruptedException {
        long confirmed = batch.first() - 1;
        if (client == null || !client.isConnected()) {
            dropClient();
            try {
                connect();
            } catch (MqttException e) {
                dropClient();
                return SendOutcome.retry(confirmed, e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT
                        ? "connect_timeout" : "connection", "cannot connect to " + target.broker() + ": " + e);
            }
        }
        ArrayDeque<Outstanding> inFlight = new ArrayDeque<>();
        try {
            for (CloudOutbox.Entry e : batch.entries()) {
                Optional<String> topic = topic(target.topicPrefix(), e.deviceId(), e.kind());
                if (topic.isEmpty()) {
                    confirmed = awaitAll(inFlight, confirmed);
                    return SendOutcome.rejected(confirmed, e.seq(), "bad_topic", "device id '" + e.deviceId()
                            + "' or kind '" + e.kind() + "' cannot be an MQTT topic level");
                }
                while (inFlight.size() >= window) {
                    confirmed = awaitHead(inFlight);
                }
                MqttMessage m = new MqttMessage(e.json().getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                MqttProperties p = new MqttProperties();
                p.setContentType("application/json");
                p.setUserProperties(List.of(new UserProperty("record-id", e.recordId())));
                m.setProperties(p);
                inFlight.add(new Outstanding(e.seq(), client.publish(topic.get(), m)));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            confirmed = awaitAll(inFlight, confirmed);
            return SendOutcome.delivered(batch);
        } catch (MqttException e) {
            LOG.debug("cloud MQTT publish failed after seq {}: {}", confirmed, e.toString());
            dropClient();
            return SendOutcome.retry(confirmedPrefix(inFlight, confirmed),
                    e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_TIMEOUT ? "timeout" : "connection",
                    "publish to " + target.broker() + " failed: " + e);
        }
    }

    private record Outstanding(long seq, IMqttToken token) {
    }

    /** Waits for the oldest outstanding PUBACK; returns its sequence number. */
    private long awaitHead(ArrayDeque<Outstanding> inFlight) throws MqttException {
        Outstanding head = inFlight.peek();
        head.token().waitForCompletion(target.timeout().toMillis());
        if (head.token().getException() != null) {
            throw head.token().getException();
        }
        inFlight.poll();
        return head.seq();
    }

    private long awaitAll(ArrayDeque<Outstanding> inFlight, long confirmed) throws MqttException {
        long c = confirmed;
        while (!inFlight.isEmpty()) {
            c = awaitHead(inFlight);
        }
        return c;
    }

    /** After a failure: the publishes already acknowledged in order after {@code confirmed}. */
    private static long confirmedPrefix(ArrayDeque<Outstanding> inFlight, long confirmed) {
        long c = confirmed;
        for (Outstanding o : inFlight) {
            if (!o.token().isComplete() || o.token().getException() != null) {
                break;
            }
            c = o.seq();
        }
        return c;
    }

    private void connect() throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(target.broker().toString(), target.clientId(), new MemoryPersistence());
        client = c;
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setSessionExpiryInterval(0L);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(KEEP_ALIVE_SECONDS);
        o.setConnectionTimeout((int) Math.max(1, target.timeout().toSeconds()));
        o.setTopicAliasMaximum(0);
        target.username().ifPresent(o::setUserName);
        target.password().ifPresent(pw -> o.setPassword(pw.getBytes(StandardCharsets.UTF_8)));
        if ("ssl".equalsIgnoreCase(target.broker().getScheme())) {
            tls.ifPresent(o::setSocketFactory);
        } else {
            o.setSocketFactory(new NoDelaySocketFactory());
        }
        IMqttToken token = c.connect(o);
        token.waitForCompletion(target.timeout().toMillis() + 1000);
        Integer receiveMaximum = token.getResponseProperties() == null ? null
                : token.getResponseProperties().getReceiveMaximum();
        window = Math.min(target.maxInFlight(), receiveMaximum == null || receiveMaximum <= 0 ? 65_535 : receiveMaximum);
        LOG.info("Cloud sync connected to {} as '{}' ({} publishes in flight at most)", target.broker(), target.clientId(), window);
    }

    private void dropClient() {
        MqttAsyncClient c = client;
        client = null;
        if (c == null) {
            return;
        }
        PahoClients.discard(c);
    }

    @Override
    public void close() {
        MqttAsyncClient c = client;
        if (c != null && c.isConnected()) {
            try {
                c.disconnect(1000).waitForCompletion(2000);
            } catch (MqttException e) {
                LOG.debug("cloud MQTT disconnect: {}", e.toString());
            }
        }
        dropClient();
    }
}
