package dev.fieldline.protocol.federated;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.internal.Names;
import dev.fieldline.protocol.internal.Parsers;
import dev.fieldline.protocol.internal.StrictReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes and strictly decodes the federated-learning messages (docs/protocol.md §10): flat CBOR or
 * JSON maps with text keys, like the other message kinds. Every decoder checks the payload size
 * first ({@code too_large}), refuses duplicate keys, wrong types ({@code wrong_type}), missing fields
 * ({@code missing_field}), must-understand keys it does not know ({@code unknown_must_understand}),
 * and binary fields longer than the payload limit ({@code limit_exceeded}). Update bodies are bounded
 * by the number of values the receiver expects ({@link #decodeBody}). Thread-safe.
 */
public final class FlCodec {
    /** Most metrics in an update and entries in a training plan. */
    public static final int MAX_METRICS = 32;

    private final DecodeLimits limits;
    private final Parsers parsers;

    public FlCodec() {
        this(DecodeLimits.DEFAULT);
    }

    /** Messages up to {@code limits.maxPayloadBytes()}; binary fields up to the same size. */
    public FlCodec(DecodeLimits limits) {
        this.limits = new DecodeLimits(limits.maxPayloadBytes(), limits.maxRecords(), limits.maxNameLength(),
                limits.maxStringLength(), limits.maxPayloadBytes(), Math.min(limits.maxAttributes(), MAX_METRICS));
        this.parsers = new Parsers(this.limits);
    }

    public DecodeLimits limits() {
        return limits;
    }

    // ---------------------------------------------------------------- encoding

    public byte[] encode(FlMessage message, PayloadFormat format) {
        return parsers.write(format, g -> {
            if (message instanceof FlMessage.Join j) {
                g.writeStartObject(j, 4);
                g.writeStringField("dev", j.deviceId());
                g.writeStringField("model", j.model());
                g.writeNumberField("size", j.size());
                g.writeNumberField("t", SenmlCodec.seconds(j.time()));
            } else if (message instanceof FlMessage.Task t) {
                g.writeStartObject(t, 8);
                g.writeNumberField("round", t.round());
                g.writeStringField("model", t.model());
                g.writeNumberField("v", t.version());
                g.writeFieldName("plan");
                numbers(g, t.plan());
                g.writeNumberField("deadline", SenmlCodec.seconds(t.deadline()));
                binary(g, format, "digest", t.digest());
                g.writeNumberField("size", t.size());
                g.writeNumberField("chunk", t.chunkSize());
            } else if (message instanceof FlMessage.Fetch f) {
                g.writeStartObject(f, 2);
                g.writeNumberField("v", f.version());
                g.writeNumberField("i", f.index());
            } else if (message instanceof FlMessage.Chunk c) {
                g.writeStartObject(c, 4);
                g.writeNumberField("v", c.version());
                g.writeNumberField("i", c.index());
                g.writeNumberField("n", c.count());
                binary(g, format, "data", c.data());
            } else if (message instanceof FlMessage.UpdateChunk u) {
                g.writeStartObject(u, 7);
                g.writeStringField("dev", u.deviceId());
                g.writeNumberField("round", u.round());
                g.writeNumberField("i", u.index());
                g.writeNumberField("n", u.count());
                g.writeNumberField("size", u.size());
                binary(g, format, "digest", u.digest());
                binary(g, format, "data", u.data());
            } else if (message instanceof FlMessage.Receipt r) {
                g.writeStartObject(r, r.reason().isEmpty() ? 2 : 3);
                g.writeNumberField("round", r.round());
                g.writeStringField("status", r.status());
                if (!r.reason().isEmpty()) {
                    g.writeStringField("reason", r.reason());
                }
            }
            g.writeEndObject();
        });
    }

    /** Encodes an update body; its size is about {@code 4 × values} bytes plus the metrics. */
    public byte[] encodeBody(UpdateBody body, PayloadFormat format) {
        Parsers big = new Parsers(bodyLimits(body.delta().length));
        return big.write(format, g -> {
            g.writeStartObject(body, 4);
            g.writeNumberField("round", body.round());
            g.writeNumberField("examples", body.examples());
            g.writeFieldName("metrics");
            numbers(g, body.metrics());
            binary(g, format, "delta", floatsToBytes(body.delta()));
            g.writeEndObject();
        });
    }

    private static void numbers(JsonGenerator g, Map<String, Double> m) throws IOException {
        g.writeStartObject(m, m.size());
        for (Map.Entry<String, Double> e : new TreeMap<>(m).entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void binary(JsonGenerator g, PayloadFormat format, String key, byte[] bytes) throws IOException {
        if (format == PayloadFormat.CBOR) {
            g.writeFieldName(key);
            g.writeBinary(bytes);
        } else {
            g.writeStringField(key, java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }
    }

    // ---------------------------------------------------------------- decoding

    /** Decodes a message of {@code kind} that arrived for {@code deviceId}. */
    public FlMessage decode(FlKind kind, String deviceId, byte[] payload, PayloadFormat format) {
        return switch (kind) {
            case JOIN -> decodeJoin(deviceId, payload, format);
            case TASK -> decodeTask(payload, format);
            case FETCH -> decodeFetch(payload, format);
            case CHUNK -> decodeChunk(payload, format);
            case UPDATE -> decodeUpdateChunk(deviceId, payload, format);
            case RECEIPT -> decodeReceipt(payload, format);
        };
    }

    public FlMessage.Join decodeJoin(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        checkDevice(f, deviceId);
        return build(() -> new FlMessage.Join(deviceId, f.name("model"), f.integer("size", 1),
                SenmlCodec.instant(f.number("t"))));
    }

    public FlMessage.Task decodeTask(byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        return build(() -> new FlMessage.Task(f.integer("round", 1), f.name("model"), f.integer("v", 0),
                f.numbers("plan"), SenmlCodec.instant(f.number("deadline")), f.digest(), f.integer("size", 1),
                f.integer("chunk", 1)));
    }

    public FlMessage.Fetch decodeFetch(byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        return build(() -> new FlMessage.Fetch(f.integer("v", 0), f.integer("i", 0)));
    }

    public FlMessage.Chunk decodeChunk(byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        int n = f.integer("n", 1);
        int i = f.integer("i", 0);
        if (i >= n) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "i (" + i + ") must be below n (" + n + ")");
        }
        return build(() -> new FlMessage.Chunk(f.integer("v", 0), i, n, f.bytes("data")));
    }

    public FlMessage.UpdateChunk decodeUpdateChunk(String deviceId, byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        checkDevice(f, deviceId);
        int n = f.integer("n", 1);
        int i = f.integer("i", 0);
        if (i >= n) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "i (" + i + ") must be below n (" + n + ")");
        }
        return build(() -> new FlMessage.UpdateChunk(deviceId, f.integer("round", 1), i, n, f.integer("size", 1),
                f.digest(), f.bytes("data")));
    }

    public FlMessage.Receipt decodeReceipt(byte[] payload, PayloadFormat format) {
        Fields f = read(parsers, limits, payload, format);
        String reason = f.values.containsKey("reason") ? f.text("reason") : "";
        return build(() -> new FlMessage.Receipt(f.integer("round", 0), f.name("status"), reason));
    }

    /**
     * Decodes an update body whose delta must hold exactly {@code values} floats (the receiver's
     * model): a payload larger than such a body can be is {@code too_large} before parsing, a delta of
     * another length {@code wrong_type}, a NaN or infinity in it is left to the update validator.
     */
    public UpdateBody decodeBody(byte[] payload, PayloadFormat format, int values) {
        DecodeLimits bl = bodyLimits(values);
        Fields f = read(new Parsers(bl), bl, payload, format);
        byte[] delta = f.bytes("delta");
        if (delta.length != values * 4L) {
            throw new DecodeException(DecodeError.WRONG_TYPE, "delta is " + delta.length + " bytes, expected "
                    + values * 4L + " (" + values + " float32 values)");
        }
        long examples = f.integer("examples", 0);
        return build(() -> new UpdateBody(f.integer("round", 1), examples, f.numbers("metrics"), bytesToFloats(delta)));
    }

    /** The largest body with {@code values} values: the delta (base64 in JSON) plus room for the rest. */
    public static int maxBodyBytes(int values) {
        long b = (long) values * 4 * 4 / 3 + 8192;
        if (b > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a model of " + values + " values is too large for an update");
        }
        return (int) b;
    }

    private DecodeLimits bodyLimits(int values) {
        int max = maxBodyBytes(values);
        return new DecodeLimits(max, limits.maxRecords(), limits.maxNameLength(), limits.maxStringLength(), max,
                MAX_METRICS);
    }

    private static void checkDevice(Fields f, String deviceId) {
        String dev = f.text("dev");
        if (!dev.equals(deviceId)) {
            throw new DecodeException(DecodeError.DEVICE_MISMATCH,
                    "message names device '" + Names.printable(dev) + "' but arrived for '" + deviceId + "'");
        }
    }

    private interface Builder<T> {
        T build();
    }

    /** Constructors check ranges the reader does not (e.g. an over-long model name): those are wrong_type. */
    private static <T> T build(Builder<T> b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new DecodeException(DecodeError.WRONG_TYPE, e.getMessage());
        }
    }

    private static Fields read(Parsers parsers, DecodeLimits limits, byte[] payload, PayloadFormat format) {
        JsonParser parser = parsers.open(payload, format);
        try (parser) {
            StrictReader in = new StrictReader(parser, limits, format == PayloadFormat.CBOR);
            in.expect(JsonToken.START_OBJECT, "a map");
            Fields f = new Fields();
            JsonToken t;
            while ((t = in.next()) != JsonToken.END_OBJECT) {
                if (t != JsonToken.FIELD_NAME) {
                    throw new DecodeException(DecodeError.MALFORMED, "expected a key");
                }
                String key = in.fieldName();
                switch (key) {
                    case "dev", "model", "status", "reason" -> f.values.put(key, in.string(key, limits.maxStringLength()));
                    case "size", "round", "v", "i", "n", "chunk", "examples" ->
                            f.values.put(key, in.integer(key, 0, Integer.MAX_VALUE));
                    case "t", "deadline" -> f.values.put(key, in.number(key));
                    case "digest", "data", "delta" -> f.values.put(key, in.data(key));
                    case "plan", "metrics" -> f.values.put(key, in.attributes(key));
                    default -> {
                        if (key.endsWith("_")) {
                            throw new DecodeException(DecodeError.UNKNOWN_MUST_UNDERSTAND,
                                    "must-understand field '" + Names.printable(key) + "'");
                        }
                        in.skipValue();
                    }
                }
            }
            in.expectEnd();
            return f;
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, e.getMessage(), e);
        }
    }

    private static final class Fields {
        final Map<String, Object> values = new HashMap<>();

        Object require(String key) {
            Object v = values.get(key);
            if (v == null) {
                throw new DecodeException(DecodeError.MISSING_FIELD, key + " is required");
            }
            return v;
        }

        String text(String key) {
            return (String) require(key);
        }

        /** A model name or status: a SenML-style name of at most 64 characters. */
        String name(String key) {
            return Names.requireName(text(key), key, 64);
        }

        int integer(String key, int min) {
            long v = (Long) require(key);
            if (v < min) {
                throw new DecodeException(DecodeError.WRONG_TYPE, key + " must be >= " + min + ", was " + v);
            }
            return (int) v;
        }

        double number(String key) {
            return (Double) require(key);
        }

        byte[] bytes(String key) {
            return (byte[]) require(key);
        }

        byte[] digest() {
            byte[] d = bytes("digest");
            if (d.length != FlMessage.DIGEST_BYTES) {
                throw new DecodeException(DecodeError.WRONG_TYPE, "digest must be " + FlMessage.DIGEST_BYTES
                        + " bytes (SHA-256), was " + d.length);
            }
            return d;
        }

        @SuppressWarnings("unchecked")
        Map<String, Double> numbers(String key) {
            Map<String, Value> m = (Map<String, Value>) require(key);
            Map<String, Double> out = new LinkedHashMap<>();
            for (Map.Entry<String, Value> e : m.entrySet()) {
                if (!(e.getValue() instanceof Value.Num n)) {
                    throw new DecodeException(DecodeError.WRONG_TYPE, key + "." + e.getKey() + " must be a number");
                }
                out.put(e.getKey(), n.value());
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- weights on the wire

    /** Float32 little-endian, the weights' and deltas' wire form. */
    public static byte[] floatsToBytes(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    public static float[] bytesToFloats(byte[] bytes) {
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException("float32 data must be a multiple of 4 bytes, was " + bytes.length);
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    /** The time of a message now, for encoders that want the wire's microsecond precision. */
    public static Instant wireTime(Instant t) {
        return SenmlCodec.instant(SenmlCodec.seconds(t));
    }
}
