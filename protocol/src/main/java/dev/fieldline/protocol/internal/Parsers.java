package dev.fieldline.protocol.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.PayloadFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Jackson streaming factories configured for strict, bounded parsing of device payloads. */
public final class Parsers {
    /** Deepest nesting any message needs is 3 (pack, record, attribute map); allow some slack. */
    private static final int MAX_NESTING = 8;

    private final JsonFactory json;
    private final CBORFactory cbor;
    private final DecodeLimits limits;

    public Parsers(DecodeLimits limits) {
        this.limits = limits;
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxStringLength(limits.maxPayloadBytes())
                .maxNumberLength(64)
                .maxNameLength(limits.maxNameLength() * 4)
                .maxDocumentLength(limits.maxPayloadBytes())
                .build();
        this.json = JsonFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.cbor = CBORFactory.builder()
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    public DecodeLimits limits() {
        return limits;
    }

    /** Checks the size, then opens a parser; throws {@link DecodeException} for oversize payloads. */
    public JsonParser open(byte[] payload, PayloadFormat format) {
        if (payload.length > limits.maxPayloadBytes()) {
            throw new DecodeException(DecodeError.TOO_LARGE,
                    payload.length + " bytes exceeds the limit of " + limits.maxPayloadBytes());
        }
        if (payload.length == 0) {
            throw new DecodeException(DecodeError.MALFORMED, "empty payload");
        }
        try {
            return format == PayloadFormat.CBOR ? cbor.createParser(payload) : json.createParser(payload);
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, String.valueOf(e.getMessage()), e);
        }
    }

    /** Writes one message with a generator for the format. */
    public byte[] write(PayloadFormat format, Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = format == PayloadFormat.CBOR ? cbor.createGenerator(out) : json.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @FunctionalInterface
    public interface Writer {
        void write(JsonGenerator generator) throws IOException;
    }
}
