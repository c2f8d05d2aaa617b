package dev.fieldline.protocol.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.internal.Parsers;
import dev.fieldline.protocol.internal.StrictReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The release manifest of one model version as the gateway signs it and a device checks it: which
 * file (SHA-256 and size), its tensors, where it came from (round, metrics) and self-test vectors
 * (inputs with the outputs the gateway's micro interpreter computed). JSON, written in a fixed key
 * order; the signed bytes are the exact bytes {@link #toJson()} wrote, never re-serialised.
 *
 * <pre>
 * {"format": "fieldline-model-release/1", "name": "fashion-mlp", "version": 3,
 *  "created": "2026-11-21T14:00:00Z", "variant": "float32",
 *  "file": {"sha256": "9f0c...", "bytes": 639452},
 *  "inputs":  [{"name": "input", "dtype": "float32", "shape": [1, 784], "quantization": null}],
 *  "outputs": [{"name": "output", "dtype": "float32", "shape": [1, 10], "quantization": null}],
 *  "source": {"round": 12, "accuracy": 0.8731},
 *  "self_test": {"tolerance": 0.0001, "vectors": [{"input": "base64url", "output": "base64url"}]}}
 * </pre>
 *
 * @param name the model's name ({@link #NAME}: lower case, digits, {@code . _ -}, at most 64)
 * @param version its version, from 1, increasing per name
 * @param created when the gateway published it
 * @param variant {@code float32} or {@code int8}
 * @param sha256 lower-case hex SHA-256 of the {@code .tflite} file
 * @param bytes the file's size
 * @param inputs the model's input tensors
 * @param outputs its output tensors
 * @param source where it came from: round, metrics, strategy (numbers, booleans, text)
 * @param selfTest vectors the device runs before it takes the model into use
 */
public record ModelRelease(
        String name,
        long version,
        Instant created,
        String variant,
        String sha256,
        long bytes,
        List<Tensor> inputs,
        List<Tensor> outputs,
        Map<String, Value> source,
        SelfTest selfTest) {

    public static final String FORMAT = "fieldline-model-release/1";
    /** Model names: safe in file names, URLs, topics and CoAP paths. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Largest model file a release may name: 64 MiB. */
    public static final long MAX_FILE_BYTES = 64L << 20;
    /** Largest manifest: 60 KiB (it travels as one COSE payload, whose limit is 64 KiB). */
    public static final int MAX_MANIFEST_BYTES = 60 * 1024;
    /** At most this many self-test vectors, tensors and source entries. */
    public static final int MAX_VECTORS = 16;
    public static final int MAX_TENSORS = 8;
    public static final int MAX_RANK = 6;
    /** Largest tensor in a self-test vector. */
    public static final int MAX_VECTOR_BYTES = 16 * 1024;

    private static final Set<String> DTYPES = Set.of("float32", "int8", "uint8", "int16", "int32");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final DecodeLimits LIMITS = new DecodeLimits(MAX_MANIFEST_BYTES, 1000, 128, 4096, MAX_VECTOR_BYTES, 32);
    private static final Parsers PARSERS = new Parsers(LIMITS);

    public ModelRelease {
        requireName(name, "name");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(variant, "variant");
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, was " + sha256);
        }
        if (bytes < 1 || bytes > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("bytes must be 1.." + MAX_FILE_BYTES + ", was " + bytes);
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        if (inputs.isEmpty() || outputs.isEmpty() || inputs.size() > MAX_TENSORS || outputs.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("a model has 1.." + MAX_TENSORS + " inputs and outputs");
        }
        source = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(source));
        Objects.requireNonNull(selfTest, "selfTest");
    }

    /** Rejects a model name that is not {@link #NAME}, naming the parameter. */
    public static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " must match " + NAME.pattern() + ", was " + name);
        }
        return name;
    }

    /**
     * A tensor of the model.
     *
     * @param name its name in the model
     * @param dtype {@code float32}, {@code int8}, {@code uint8}, {@code int16} or {@code int32}
     * @param shape its dimensions
     * @param scale quantisation scale, for quantised tensors
     * @param zeroPoint quantisation zero point, for quantised tensors
     */
    public record Tensor(String name, String dtype, List<Integer> shape, OptionalDouble scale, OptionalLong zeroPoint) {
        public Tensor {
            Objects.requireNonNull(name, "name");
            if (!DTYPES.contains(dtype)) {
                throw new IllegalArgumentException("dtype must be one of " + DTYPES + ", was " + dtype);
            }
            shape = List.copyOf(shape);
            if (shape.size() > MAX_RANK || shape.stream().anyMatch(d -> d < 1)) {
                throw new IllegalArgumentException("shape must have at most " + MAX_RANK + " positive dimensions, was " + shape);
            }
            if (scale.isPresent() != zeroPoint.isPresent()) {
                throw new IllegalArgumentException("scale and zeroPoint go together");
            }
        }
    }

    /**
     * Inputs and the outputs they must give: raw little-endian tensor bytes of input 0 and output 0
     * (quantised tensors hold their integers), as {@code InferenceSession} reads and writes them.
     *
     * @param tolerance the largest difference accepted in a float output; quantised outputs may differ by one step
     * @param vectors the vectors
     */
    public record SelfTest(double tolerance, List<Vector> vectors) {
        public SelfTest {
            if (!(tolerance >= 0 && Double.isFinite(tolerance))) {
                throw new IllegalArgumentException("tolerance must be finite and >= 0, was " + tolerance);
            }
            vectors = List.copyOf(vectors);
            if (vectors.isEmpty() || vectors.size() > MAX_VECTORS) {
                throw new IllegalArgumentException("a self-test has 1.." + MAX_VECTORS + " vectors, was " + vectors.size());
            }
        }
    }

    /** One self-test vector; the arrays are copied in and out. */
    public record Vector(byte[] input, byte[] output) {
        public Vector {
            if (input.length == 0 || output.length == 0 || input.length > MAX_VECTOR_BYTES || output.length > MAX_VECTOR_BYTES) {
                throw new IllegalArgumentException("vector tensors must be 1.." + MAX_VECTOR_BYTES + " bytes");
            }
            input = input.clone();
            output = output.clone();
        }

        @Override
        public byte[] input() {
            return input.clone();
        }

        @Override
        public byte[] output() {
            return output.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Vector v && Arrays.equals(input, v.input) && Arrays.equals(output, v.output);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(input) + Arrays.hashCode(output);
        }

        @Override
        public String toString() {
            return "Vector[" + input.length + " -> " + output.length + " bytes]";
        }
    }

    // ------------------------------------------------------------------ JSON

    /** The manifest's bytes: compact JSON in a fixed key order. @throws IllegalArgumentException when larger than {@link #MAX_MANIFEST_BYTES} */
    public byte[] toJson() {
        byte[] out = PARSERS.write(PayloadFormat.JSON, this::write);
        if (out.length > MAX_MANIFEST_BYTES) {
            throw new IllegalArgumentException("the manifest is " + out.length + " bytes, limit " + MAX_MANIFEST_BYTES
                    + "; use fewer self-test vectors");
        }
        return out;
    }

    private void write(JsonGenerator g) throws IOException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        g.writeStartObject();
        g.writeStringField("format", FORMAT);
        g.writeStringField("name", name);
        g.writeNumberField("version", version);
        g.writeStringField("created", created.toString());
        g.writeStringField("variant", variant);
        g.writeObjectFieldStart("file");
        g.writeStringField("sha256", sha256);
        g.writeNumberField("bytes", bytes);
        g.writeEndObject();
        writeTensors(g, "inputs", inputs);
        writeTensors(g, "outputs", outputs);
        g.writeObjectFieldStart("source");
        for (Map.Entry<String, Value> e : source.entrySet()) {
            g.writeFieldName(e.getKey());
            Value v = e.getValue();
            if (v instanceof Value.Num n) {
                g.writeNumber(n.value());
            } else if (v instanceof Value.Bool b) {
                g.writeBoolean(b.value());
            } else if (v instanceof Value.Text t) {
                g.writeString(t.value());
            } else {
                g.writeString(b64.encodeToString(((Value.Data) v).value()));
            }
        }
        g.writeEndObject();
        g.writeObjectFieldStart("self_test");
        g.writeNumberField("tolerance", selfTest.tolerance());
        g.writeArrayFieldStart("vectors");
        for (Vector v : selfTest.vectors()) {
            g.writeStartObject();
            g.writeStringField("input", b64.encodeToString(v.input));
            g.writeStringField("output", b64.encodeToString(v.output));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeTensors(JsonGenerator g, String field, List<Tensor> tensors) throws IOException {
        g.writeArrayFieldStart(field);
        for (Tensor t : tensors) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("dtype", t.dtype());
            g.writeArrayFieldStart("shape");
            for (int d : t.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (t.scale().isPresent()) {
                g.writeObjectFieldStart("quantization");
                g.writeNumberField("scale", t.scale().getAsDouble());
                g.writeNumberField("zero_point", t.zeroPoint().getAsLong());
                g.writeEndObject();
            } else {
                g.writeNullField("quantization");
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * Parses a manifest strictly: every key known and present, sizes within the limits above.
     *
     * @throws DecodeException with the reason and the field's path
     */
    public static ModelRelease parse(byte[] json) {
        try (JsonParser p = PARSERS.open(json, PayloadFormat.JSON)) {
            StrictReader r = new StrictReader(p, LIMITS, false);
            ModelRelease m = read(r);
            r.expectEnd();
            return m;
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, String.valueOf(e.getMessage()), e);
        }
    }

    private static ModelRelease read(StrictReader r) {
        r.expect(JsonToken.START_OBJECT, "the manifest object");
        String format = null;
        String name = null;
        Long version = null;
        Instant created = null;
        String variant = null;
        String sha = null;
        Long bytes = null;
        List<Tensor> inputs = null;
        List<Tensor> outputs = null;
        Map<String, Value> source = null;
        SelfTest selfTest = null;
        JsonToken t;
        while ((t = r.next()) == JsonToken.FIELD_NAME) {
            String key = r.fieldName();
            switch (key) {
                case "format" -> format = r.string("format", 64);
                case "name" -> name = r.string("name", 64);
                case "version" -> version = r.integer("version", 1, Long.MAX_VALUE);
                case "created" -> {
                    String s = r.string("created", 64);
                    try {
                        created = Instant.parse(s);
                    } catch (DateTimeParseException e) {
                        throw new DecodeException(DecodeError.INVALID_VALUE, "created is not an ISO-8601 instant: " + s);
                    }
                }
                case "variant" -> variant = r.string("variant", 32);
                case "file" -> {
                    r.expect(JsonToken.START_OBJECT, "file object");
                    while (r.next() == JsonToken.FIELD_NAME) {
                        switch (r.fieldName()) {
                            case "sha256" -> sha = r.string("file.sha256", 64);
                            case "bytes" -> bytes = r.integer("file.bytes", 1, MAX_FILE_BYTES);
                            default -> throw unknown("file." + r.fieldName());
                        }
                    }
                }
                case "inputs" -> inputs = tensors(r, "inputs");
                case "outputs" -> outputs = tensors(r, "outputs");
                case "source" -> source = r.attributes("source");
                case "self_test" -> selfTest = selfTest(r);
                default -> throw unknown(key);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new DecodeException(DecodeError.MALFORMED, "expected a key, found " + t);
        }
        if (!FORMAT.equals(format)) {
            throw new DecodeException(format == null ? DecodeError.MISSING_FIELD : DecodeError.UNSUPPORTED_VERSION,
                    "format must be " + FORMAT + ", was " + format);
        }
        require(name, "name");
        require(version, "version");
        require(created, "created");
        require(variant, "variant");
        require(sha, "file.sha256");
        require(bytes, "file.bytes");
        require(inputs, "inputs");
        require(outputs, "outputs");
        require(source, "source");
        require(selfTest, "self_test");
        try {
            return new ModelRelease(name, version, created, variant, sha, bytes, inputs, outputs, source, selfTest);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(DecodeError.INVALID_VALUE, e.getMessage(), e);
        }
    }

    private static List<Tensor> tensors(StrictReader r, String path) {
        r.expect(JsonToken.START_ARRAY, path + " array");
        List<Tensor> out = new ArrayList<>();
        JsonToken t;
        while ((t = r.next()) == JsonToken.START_OBJECT) {
            if (out.size() >= MAX_TENSORS) {
                throw new DecodeException(DecodeError.LIMIT_EXCEEDED, path + " has more than " + MAX_TENSORS + " tensors");
            }
            String at = path + "[" + out.size() + "]";
            String name = null;
            String dtype = null;
            List<Integer> shape = null;
            OptionalDouble scale = OptionalDouble.empty();
            OptionalLong zp = OptionalLong.empty();
            boolean quantSeen = false;
            while (r.next() == JsonToken.FIELD_NAME) {
                switch (r.fieldName()) {
                    case "name" -> name = r.string(at + ".name", 128);
                    case "dtype" -> dtype = r.string(at + ".dtype", 16);
                    case "shape" -> {
                        r.expect(JsonToken.START_ARRAY, at + ".shape array");
                        shape = new ArrayList<>();
                        JsonToken d0;
                        while ((d0 = r.next()) == JsonToken.VALUE_NUMBER_INT) {
                            if (shape.size() >= MAX_RANK) {
                                throw new DecodeException(DecodeError.LIMIT_EXCEEDED, at + ".shape has more than " + MAX_RANK + " dimensions");
                            }
                            long d = longValue(r);
                            if (d < 1 || d > (1 << 24)) {
                                throw new DecodeException(DecodeError.INVALID_VALUE, at + ".shape has a dimension of " + d);
                            }
                            shape.add((int) d);
                        }
                        if (d0 != JsonToken.END_ARRAY) {
                            throw new DecodeException(DecodeError.WRONG_TYPE, at + ".shape must hold integers");
                        }
                    }
                    case "quantization" -> {
                        quantSeen = true;
                        JsonToken q = r.next();
                        if (q == JsonToken.START_OBJECT) {
                            Double s = null;
                            Long z = null;
                            while (r.next() == JsonToken.FIELD_NAME) {
                                switch (r.fieldName()) {
                                    case "scale" -> s = r.number(at + ".quantization.scale");
                                    case "zero_point" -> z = r.integer(at + ".quantization.zero_point", Integer.MIN_VALUE, Integer.MAX_VALUE);
                                    default -> throw unknown(at + ".quantization." + r.fieldName());
                                }
                            }
                            require(s, at + ".quantization.scale");
                            require(z, at + ".quantization.zero_point");
                            scale = OptionalDouble.of(s);
                            zp = OptionalLong.of(z);
                        } else if (q != JsonToken.VALUE_NULL) {
                            throw new DecodeException(DecodeError.WRONG_TYPE, at + ".quantization must be an object or null");
                        }
                    }
                    default -> throw unknown(at + "." + r.fieldName());
                }
            }
            require(name, at + ".name");
            require(dtype, at + ".dtype");
            require(shape, at + ".shape");
            if (!quantSeen) {
                throw new DecodeException(DecodeError.MISSING_FIELD, at + ".quantization is missing");
            }
            try {
                out.add(new Tensor(name, dtype, shape, scale, zp));
            } catch (IllegalArgumentException e) {
                throw new DecodeException(DecodeError.INVALID_VALUE, at + ": " + e.getMessage(), e);
            }
        }
        if (t != JsonToken.END_ARRAY) {
            throw new DecodeException(DecodeError.WRONG_TYPE, path + " must hold tensor objects");
        }
        return out;
    }

    private static long longValue(StrictReader r) {
        try {
            if (r.parser().getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new DecodeException(DecodeError.INVALID_VALUE, "a number is out of range");
            }
            return r.parser().getLongValue();
        } catch (IOException e) {
            throw new DecodeException(DecodeError.MALFORMED, String.valueOf(e.getMessage()), e);
        }
    }

    private static SelfTest selfTest(StrictReader r) {
        r.expect(JsonToken.START_OBJECT, "self_test object");
        Double tolerance = null;
        List<Vector> vectors = null;
        while (r.next() == JsonToken.FIELD_NAME) {
            switch (r.fieldName()) {
                case "tolerance" -> tolerance = r.number("self_test.tolerance");
                case "vectors" -> {
                    r.expect(JsonToken.START_ARRAY, "self_test.vectors array");
                    vectors = new ArrayList<>();
                    JsonToken t;
                    while ((t = r.next()) == JsonToken.START_OBJECT) {
                        if (vectors.size() >= MAX_VECTORS) {
                            throw new DecodeException(DecodeError.LIMIT_EXCEEDED, "self_test.vectors has more than " + MAX_VECTORS);
                        }
                        String at = "self_test.vectors[" + vectors.size() + "]";
                        byte[] in = null;
                        byte[] out = null;
                        while (r.next() == JsonToken.FIELD_NAME) {
                            switch (r.fieldName()) {
                                case "input" -> in = r.data(at + ".input");
                                case "output" -> out = r.data(at + ".output");
                                default -> throw unknown(at + "." + r.fieldName());
                            }
                        }
                        require(in, at + ".input");
                        require(out, at + ".output");
                        try {
                            vectors.add(new Vector(in, out));
                        } catch (IllegalArgumentException e) {
                            throw new DecodeException(DecodeError.INVALID_VALUE, at + ": " + e.getMessage(), e);
                        }
                    }
                    if (t != JsonToken.END_ARRAY) {
                        throw new DecodeException(DecodeError.WRONG_TYPE, "self_test.vectors must hold objects");
                    }
                }
                default -> throw unknown("self_test." + r.fieldName());
            }
        }
        require(tolerance, "self_test.tolerance");
        require(vectors, "self_test.vectors");
        try {
            return new SelfTest(tolerance, vectors);
        } catch (IllegalArgumentException e) {
            throw new DecodeException(DecodeError.INVALID_VALUE, "self_test: " + e.getMessage(), e);
        }
    }

    private static void require(Object v, String path) {
        if (v == null) {
            throw new DecodeException(DecodeError.MISSING_FIELD, path + " is missing");
        }
    }

    private static DecodeException unknown(String path) {
        return new DecodeException(DecodeError.MALFORMED, "unknown field " + path);
    }

    /** Lower-case hex SHA-256 of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
