package dev.fieldline.protocol;

import java.util.Locale;
import java.util.Optional;

/**
 * The two encodings every message kind has. Telemetry uses the SenML media types; the other kinds
 * use plain CBOR and JSON maps.
 */
public enum PayloadFormat {
    CBOR("application/senml+cbor", 112, "application/cbor", 60),
    JSON("application/senml+json", 110, "application/json", 50);

    private final String senmlMediaType;
    private final int senmlContentFormat;
    private final String mediaType;
    private final int contentFormat;

    PayloadFormat(String senmlMediaType, int senmlContentFormat, String mediaType, int contentFormat) {
        this.senmlMediaType = senmlMediaType;
        this.senmlContentFormat = senmlContentFormat;
        this.mediaType = mediaType;
        this.contentFormat = contentFormat;
    }

    /** The media type for a message of this kind in this format. */
    public String mediaType(MessageKind kind) {
        return kind == MessageKind.TELEMETRY ? senmlMediaType : mediaType;
    }

    /** The CoAP Content-Format number (RFC 7252 registry) for a message of this kind. */
    public int coapContentFormat(MessageKind kind) {
        return kind == MessageKind.TELEMETRY ? senmlContentFormat : contentFormat;
    }

    /**
     * The format a CoAP Content-Format number stands for, if this kind accepts it. Telemetry takes
     * SenML CBOR/JSON (112/110) and, for convenience, plain CBOR/JSON (60/50).
     */
    public static Optional<PayloadFormat> fromCoapContentFormat(MessageKind kind, int contentFormat) {
        for (PayloadFormat f : values()) {
            if (f.contentFormat == contentFormat || (kind == MessageKind.TELEMETRY && f.senmlContentFormat == contentFormat)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The format an HTTP or MQTT 5 content type stands for (parameters such as charset ignored). */
    public static Optional<PayloadFormat> fromMediaType(MessageKind kind, String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        for (PayloadFormat f : values()) {
            if (f.mediaType.equals(type) || (kind == MessageKind.TELEMETRY && f.senmlMediaType.equals(type))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Guesses the format from the first significant byte, for transports without a content type
     * (MQTT 3.1.1). JSON messages start with '[' or '{' (after optional whitespace); CBOR ones with
     * an array (0x80..0x9f) or map (0xa0..0xbf) head.
     */
    public static Optional<PayloadFormat> sniff(byte[] payload) {
        for (byte b : payload) {
            int v = b & 0xff;
            if (v == ' ' || v == '\t' || v == '\r' || v == '\n') {
                continue;
            }
            if (v == '[' || v == '{') {
                return Optional.of(JSON);
            }
            if (v >= 0x80 && v <= 0xbf) {
                return Optional.of(CBOR);
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
