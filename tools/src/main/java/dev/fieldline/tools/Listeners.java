package dev.fieldline.tools;

import dev.fieldline.gateway.Gateway;
import java.net.InetSocketAddress;

/** Prints where a gateway listens. */
final class Listeners {
    private Listeners() {
    }

    static String describe(Gateway gateway) {
        StringBuilder b = new StringBuilder("Fieldline gateway listening on:\n");
        b.append("  HTTP API   ").append(url("http", gateway.httpAddress())).append("/api/v1\n");
        gateway.mqttAddress().ifPresent(a -> b.append("  MQTT       ").append(url("mqtt", a)).append('\n'));
        gateway.coapAddress().ifPresent(a -> b.append("  CoAP       ").append(url("coap", a)).append('\n'));
        gateway.mqttsAddress().ifPresent(a -> b.append("  MQTT/TLS   ").append(url("mqtts", a)).append('\n'));
        gateway.coapsAddress().ifPresent(a -> b.append("  CoAP/DTLS  ").append(url("coaps", a)).append('\n'));
        return b.toString();
    }

    static String url(String scheme, InetSocketAddress a) {
        String host = a.getAddress().isAnyLocalAddress() ? "localhost" : a.getHostString();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return scheme + "://" + host + ":" + a.getPort();
    }
}
