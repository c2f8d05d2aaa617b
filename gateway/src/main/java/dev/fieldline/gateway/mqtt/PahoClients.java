package dev.fieldline.gateway.mqtt;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Paho client handling shared by the gateway's MQTT clients (broker ingest, cloud sync). */
public final class PahoClients {
    private static final Logger LOG = LoggerFactory.getLogger(PahoClients.class);

    private PahoClients() {
    }

    /**
     * Drops a client for good: closes its socket without DISCONNECT (at most 1 s) and releases it.
     * Used for a lost or abandoned connection; the next connection gets a new client.
     */
    public static void discard(MqttAsyncClient client) {
        try {
            client.disconnectForcibly(0, 1000, false);
        } catch (MqttException e) {
            LOG.debug("forced disconnect: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.debug("close: {}", e.toString());
        }
    }
}
