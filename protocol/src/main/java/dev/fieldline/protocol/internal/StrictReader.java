package dev.fieldline.protocol.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.Value;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Typed reads from a Jackson parser that turn every surprise into a {@link DecodeException} with a
 * reason and the field's path. One instance per message.
 */
public final class StrictReader {
    private final JsonParser p;
    private final DecodeLimits limits;
    private final boolean cbor;

    public StrictReader(JsonParser parser, DecodeLimits limits, boolean cbor) {
        this.p = parser;
        this.limits = limits;
        this.cbor = cbor;
    }

    public JsonParser parser() {
        return p;
    }

    public boolean isCbor() {
        return cbor;
    }

    /** The next token; malformed input and exceeded parser constraints become typed errors. */
    public JsonToken next() {
        try {
            return p.nextToken();
        } catch (StreamConstraintsException e) {
            throw new DecodeException(DecodeError.LIMIT_EXCEEDED, e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, oneLine(e), e);
        }
    }

    public void expect(JsonToken expected, String what) {
        JsonToken t = next();
        if (t != expected) {
            throw new DecodeException(DecodeError.MALFORMED, "expected " + what + ", found " + describe(t));
        }
    }

    /** After the top-level value: nothing may follow. */
    public void expectEnd() {
        JsonToken t = next();
        if (t != null) {
            throw new DecodeException(DecodeError.MALFORMED, "trailing data after the message: " + describe(t));
        }
    }

    public String fieldName() {
        try {
            return p.currentName();
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, oneLine(e), e);
        }
    }

    public double number(String path) {
        JsonToken t = next();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw wrongType(path, "a number", t);
        }
        double v = doubleValue();
        if (!Double.isFinite(v)) {
            throw new DecodeException(DecodeError.INVALID_VALUE, path + " must be finite, was " + v);
        }
        return v;
    }

    /** An integer in [min, max]. */
    public long integer(String path, long min, long max) {
        JsonToken t = next();
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw wrongType(path, "an integer", t);
        }
        try {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new DecodeException(DecodeError.WRONG_TYPE, path + " is out of range");
            }
            long v = p.getLongValue();
            if (v < min || v > max) {
                throw new DecodeException(DecodeError.WRONG_TYPE,
                        path + " must be in [" + min + ", " + max + "], was " + v);
            }
            return v;
        } catch (IOException e) {
            throw new DecodeException(DecodeError.WRONG_TYPE, path + ": " + oneLine(e), e);
        }
    }

    public String string(String path, int maxLength) {
        JsonToken t = next();
        if (t != JsonToken.VALUE_STRING) {
            throw wrongType(path, "a string", t);
        }
        String s = text();
        if (s.length() > maxLength) {
            throw new DecodeException(DecodeError.LIMIT_EXCEEDED,
                    path + " is " + s.length() + " characters, limit " + maxLength);
        }
        return s;
    }

    public boolean bool(String path) {
        JsonToken t = next();
        if (t == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (t == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw wrongType(path, "a boolean", t);
    }

    /** Binary data: a CBOR byte string, or a base64url string in JSON (RFC 8428 §5). */
    public byte[] data(String path) {
        JsonToken t = next();
        byte[] bytes;
        if (cbor && t == JsonToken.VALUE_EMBEDDED_OBJECT) {
            try {
                bytes = p.getBinaryValue(); // the token is a byte string, so a failure is in its bytes
            } catch (StreamConstraintsException e) {
                throw new DecodeException(DecodeError.LIMIT_EXCEEDED, path + ": " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new DecodeException(DecodeError.MALFORMED, path + ": " + oneLine(e), e);
            }
        } else if (!cbor && t == JsonToken.VALUE_STRING) {
            try {
                bytes = Base64.getUrlDecoder().decode(text());
            } catch (IllegalArgumentException e) {
                throw new DecodeException(DecodeError.WRONG_TYPE, path + " is not base64url: " + e.getMessage());
            }
        } else {
            throw wrongType(path, cbor ? "a byte string" : "a base64url string", t);
        }
        if (bytes.length > limits.maxDataBytes()) {
            throw new DecodeException(DecodeError.LIMIT_EXCEEDED,
                    path + " is " + bytes.length + " bytes, limit " + limits.maxDataBytes());
        }
        return bytes;
    }

    /**
     * A flat map of names to number, boolean or string values (attributes, command arguments).
     */
    public Map<String, Value> attributes(String path) {
        return attributes(path, next());
    }

    /** {@link #attributes(String)} when its first token, {@code t}, has been read already. */
    public Map<String, Value> attributes(String path, JsonToken t) {
        if (t != JsonToken.START_OBJECT) {
            throw wrongType(path, "a map", t);
        }
        Map<String, Value> out = new LinkedHashMap<>();
        while ((t = next()) != JsonToken.END_OBJECT) {
            if (t != JsonToken.FIELD_NAME) {
                throw new DecodeException(DecodeError.MALFORMED, path + ": expected a key, found " + describe(t));
            }
            String key = fieldName();
            Names.requireName(key, path + " key", limits.maxNameLength());
            if (out.size() >= limits.maxAttributes()) {
                throw new DecodeException(DecodeError.LIMIT_EXCEEDED,
                        path + " has more than " + limits.maxAttributes() + " entries");
            }
            String entry = path + "." + key;
            JsonToken v = next();
            Value value = switch (v) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    double d = doubleValue();
                    if (!Double.isFinite(d)) {
                        throw new DecodeException(DecodeError.INVALID_VALUE, entry + " must be finite");
                    }
                    yield new Value.Num(d);
                }
                case VALUE_TRUE -> new Value.Bool(true);
                case VALUE_FALSE -> new Value.Bool(false);
                case VALUE_STRING -> {
                    String s = text();
                    if (s.length() > limits.maxStringLength()) {
                        throw new DecodeException(DecodeError.LIMIT_EXCEEDED, entry + " is too long");
                    }
                    yield new Value.Text(s);
                }
                default -> throw wrongType(entry, "a number, boolean or string", v);
            };
            out.put(key, value);
        }
        return out;
    }

    /** Skips the value of an unknown field, whatever its shape. */
    public void skipValue() {
        next();
        try {
            p.skipChildren();
        } catch (StreamConstraintsException e) {
            throw new DecodeException(DecodeError.LIMIT_EXCEEDED, e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, oneLine(e), e);
        }
    }

    private double doubleValue() {
        try {
            return p.getDoubleValue();
        } catch (IOException e) {
            throw new DecodeException(DecodeError.WRONG_TYPE, oneLine(e), e);
        }
    }

    private String text() {
        String s;
        try {
            s = p.getText();
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, oneLine(e), e);
        }
        requireWellFormed(s);
        return s;
    }

    /**
     * Rejects unpaired surrogates: Jackson's CBOR parser decodes invalid UTF-8 leniently into them,
     * and JSON can spell them as escapes (a lone \ud800). Such a string cannot be encoded again.
     */
    private static void requireWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new DecodeException(DecodeError.MALFORMED,
                        "text is not well-formed Unicode (invalid UTF-8 or an unpaired surrogate) at character " + i);
            }
        }
    }

    private static DecodeException wrongType(String path, String expected, JsonToken found) {
        return new DecodeException(DecodeError.WRONG_TYPE, path + " must be " + expected + ", found " + describe(found));
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "a map";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_EMBEDDED_OBJECT -> "binary data";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String oneLine(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JacksonException je ? je.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
