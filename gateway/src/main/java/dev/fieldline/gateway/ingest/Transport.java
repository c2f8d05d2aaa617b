package dev.fieldline.gateway.ingest;

import java.util.Locale;

/** Where an uplink message came in; counted and stored with it. */
public enum Transport {
    /** The gateway's own device-facing MQTT endpoint. */
    MQTT,
    /** An external MQTT broker the gateway subscribes to. */
    BROKER,
    /** The CoAP server. */
    COAP,
    /** The web API ({@code POST /api/v1/data}, {@code POST /api/v1/status}). */
    HTTP;

    /** Lower-case name, as used in metric labels, the store and the API ({@code mqtt}, {@code coap}...). */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
