package dev.fieldline.agent.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho v5 client playing the gateway side in tests: records what it receives, publishes commands. */
final class MqttProbe implements AutoCloseable {

    record Received(String topic, byte[] payload, String contentType, boolean retained) {
    }

    private final MqttAsyncClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    MqttProbe(String url, String filter) throws MqttException {
        this(url, filter, "probe-" + UUID.randomUUID().toString().substring(0, 8), false);
    }

    /**
     * @param persistentSession keep the session (and its queued QoS 1 messages) on the broker across
     *     disconnects and broker restarts, for a probe that reconnects with the same client id
     */
    MqttProbe(String url, String filter, String clientId, boolean persistentSession) throws MqttException {
        client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse r) {
            }

            @Override
            public void mqttErrorOccurred(MqttException e) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                String ct = m.getProperties() == null ? null : m.getProperties().getContentType();
                received.add(new Received(topic, m.getPayload(), ct, m.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttToken t) {
            }

            @Override
            public void connectComplete(boolean reconnect, String uri) {
            }

            @Override
            public void authPacketArrived(int code, MqttProperties p) {
            }
        });
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(!persistentSession);
        if (persistentSession) {
            o.setSessionExpiryInterval(3600L);
        }
        client.connect(o).waitForCompletion(10_000);
        client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)}).waitForCompletion(10_000);
    }

    List<Received> on(String topic) {
        return matching(r -> r.topic().equals(topic));
    }

    List<Received> matching(Predicate<Received> p) {
        List<Received> out = new ArrayList<>();
        for (Received r : received) {
            if (p.test(r)) {
                out.add(r);
            }
        }
        return out;
    }

    void publish(String topic, byte[] payload, String contentType) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setContentType(contentType);
        m.setProperties(p);
        client.publish(topic, m).waitForCompletion(10_000);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close(true);
        } catch (MqttException e) {
            // test cleanup; the broker is going away too
        }
    }
}
