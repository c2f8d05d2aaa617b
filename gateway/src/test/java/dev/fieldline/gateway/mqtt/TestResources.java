package dev.fieldline.gateway.mqtt;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/** What a test opened (brokers, proxies, gateways, Paho clients), closed last first. */
final class TestResources implements AutoCloseable {
    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Closes {@code resource} with the others; returns it. */
    <T extends AutoCloseable> T add(T resource) {
        resources.add(resource);
        return resource;
    }

    /** A Paho v5 client for {@code url}, disconnected and closed with the others. */
    MqttAsyncClient client(String url, String clientId) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        add(() -> {
            if (c.isConnected()) {
                c.disconnect().waitForCompletion(5000);
            }
            c.close(true);
        });
        return c;
    }

    @Override
    public void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }
}
