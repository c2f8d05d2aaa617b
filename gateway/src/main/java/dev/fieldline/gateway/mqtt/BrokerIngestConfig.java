package dev.fieldline.gateway.mqtt;

import dev.fieldline.protocol.DeviceIds;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSocketFactory;

/**
 * Configuration of the external-broker mode.
 *
 * @param brokerUrl the broker, {@code tcp://host:1883} (or {@code ssl://host:8883})
 * @param clientId this gateway instance's MQTT client id; must be stable across restarts (e.g. the pod
 *     name of a StatefulSet), because the broker keeps the persistent session and its unacknowledged
 *     messages under it
 * @param shareGroup name of the MQTT 5 shared-subscription group all gateway instances join
 *     ({@code $share/{shareGroup}/...}); blank subscribes without sharing (a single gateway, or a
 *     broker without shared subscriptions)
 * @param tls for an {@code ssl://} broker: the socket factory presenting the gateway's client
 *     certificate; empty = the JDK's defaults (no client certificate)
 */
public record BrokerIngestConfig(URI brokerUrl, String clientId, String shareGroup, Optional<SSLSocketFactory> tls) {

    public BrokerIngestConfig(URI brokerUrl, String clientId, String shareGroup) {
        this(brokerUrl, clientId, shareGroup, Optional.empty());
    }

    public BrokerIngestConfig {
        Objects.requireNonNull(brokerUrl, "brokerUrl");
        String scheme = brokerUrl.getScheme();
        if (scheme == null || !(scheme.equals("tcp") || scheme.equals("ssl") || scheme.equals("ws") || scheme.equals("wss"))) {
            throw new IllegalArgumentException("brokerUrl must be tcp://, ssl://, ws:// or wss://, was " + brokerUrl);
        }
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isEmpty() || clientId.length() > 64) {
            throw new IllegalArgumentException("clientId must be 1-64 characters, was '" + clientId + "'");
        }
        shareGroup = shareGroup == null ? "" : shareGroup;
        if (!shareGroup.isEmpty() && !DeviceIds.isValid(shareGroup)) {
            throw new IllegalArgumentException("shareGroup '" + shareGroup
                    + "' must be 1-64 of A-Z a-z 0-9 . _ - (no '/', '+' or '#'), or blank for no sharing");
        }
        Objects.requireNonNull(tls, "tls");
        if (tls.isPresent() && !(scheme.equals("ssl") || scheme.equals("wss"))) {
            throw new IllegalArgumentException("tls needs an ssl:// or wss:// brokerUrl, was " + brokerUrl);
        }
    }

    /** The same with a TLS socket factory (client certificate) for an {@code ssl://} broker. */
    public BrokerIngestConfig withTls(SSLSocketFactory factory) {
        return new BrokerIngestConfig(brokerUrl, clientId, shareGroup, Optional.of(Objects.requireNonNull(factory, "factory")));
    }

    /** True when the gateway subscribes through a shared subscription. */
    public boolean shared() {
        return !shareGroup.isEmpty();
    }
}
