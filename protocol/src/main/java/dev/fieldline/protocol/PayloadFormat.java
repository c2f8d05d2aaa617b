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

    /**
     * CoAP Content-Format of a COSE_Sign1 envelope (RFC 9052: application/cose; cose-type="cose-sign1").
     * A signed uplink is CBOR inside; the transports accept it where they accept CBOR.
     */
    public static final int COSE_SIGN1_CONTENT_FORMAT = 18;
    /** Media type (without parameters) of COSE messages. */
    public static final String COSE_MEDIA_TYPE = "application/cose";
    /** Full media type of a COSE_Sign1 envelope, as sent in MQTT 5 content-type. */
    public static final String COSE_SIGN1_MEDIA_TYPE = "application/cose; cose-type=\"cose-sign1\"";

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

    /** The media type for this payload: the COSE_Sign1 type when it is a signed envelope. */
    public String mediaType(MessageKind kind, byte[] payload) {
        return isCoseSign1(payload) ? COSE_SIGN1_MEDIA_TYPE : mediaType(kind);
    }

    /** The CoAP Content-Format for this payload: 18 when it is a signed (COSE_Sign1) envelope. */
    public int coapContentFormat(MessageKind kind, byte[] payload) {
        return isCoseSign1(payload) ? COSE_SIGN1_CONTENT_FORMAT : coapContentFormat(kind);
    }

    /**
     * True if the bytes are a COSE_Sign1 envelope rather than a bare SenML pack or message map: they
     * start with tag 18 ({@code 0xd2}), or with a 4-element array whose first element is a byte
     * string (a SenML pack's elements are maps, a message is a map).
     */
    public static boolean isCoseSign1(byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        int first = bytes[0] & 0xff;
        return first == 0xd2 || (first == 0x84 && bytes.length > 1 && (bytes[1] & 0xe0) == 0x40);
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
        if (contentFormat == COSE_SIGN1_CONTENT_FORMAT && kind.isUplink() && kind != MessageKind.STATUS) {
            return Optional.of(CBOR);
        }
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
        if (type.equals(COSE_MEDIA_TYPE) && kind.isUplink() && kind != MessageKind.STATUS) {
            return Optional.of(CBOR);
        }
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
     * an array (0x80..0x9f) or map (0xa0..0xbf) head, or the COSE_Sign1 tag (0xd2).
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
            if ((v >= 0x80 && v <= 0xbf) || v == 0xd2) { // array, map, or tag 18 (COSE_Sign1)
                return Optional.of(CBOR);
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
