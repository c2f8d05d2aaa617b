package dev.fieldline.gateway.ingest;

/** Where an uplink message came in; counted and stored with it. */
public enum Transport {
    /** The gateway's own device-facing MQTT endpoint. */
    MQTT,
    /** An external MQTT broker the gateway subscribes to. */
    BROKER,
    /** The CoAP server. */
    COAP,
    /** The web API ({@code POST /api/v1/data}, {@code POST /api/v1/status}). */
    HTTP
}
