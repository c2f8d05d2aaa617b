package dev.fieldline.inference;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.fieldline.tflite.TensorType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Test-vector files in the format of {@code shared/models/golden/*.json}: a {@code vectors} array
 * whose entries have {@code id}, {@code reset_variable_tensors_before}, {@code inputs[]} (each with
 * {@code index}, {@code dtype}, {@code shape} and raw {@code data}) and, in golden files, expected
 * {@code outputs[]} and an {@code intermediate_probe}. Also runs such vectors on a session and
 * writes the results as {@code fieldline model run} prints them.
 */
public final class TestVectors {

    /** Largest vectors file read: 256 MiB. */
    public static final long MAX_FILE_BYTES = 256L << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(64).build())
            .build();

    /**
     * One vector.
     *
     * @param id the vector's name
     * @param resetBefore reset variable tensors before running it
     * @param inputs input values
     * @param expected expected outputs (golden files only; empty otherwise)
     * @param probe an expected intermediate tensor, where the golden file records one
     */
    public record Vector(String id, boolean resetBefore, List<TensorData> inputs, List<TensorData> expected,
            Optional<Probe> probe) {}

    /**
     * An intermediate tensor's expected values.
     *
     * @param tensorIndex index in the model's subgraph
     * @param values expected raw values
     */
    public record Probe(int tensorIndex, TensorData values) {}

    /**
     * A file's vectors and its tolerance hint ({@code tolerance_hint}, empty when absent).
     */
    public record File(List<Vector> vectors, String toleranceHint) {}

    /** The outputs one vector produced on an engine. */
    public record Result(String id, List<TensorData> outputs) {}

    /** A vectors file that cannot be used: the message says where and why. */
    public static final class FormatException extends RuntimeException {
        public FormatException(String message) {
            super(message);
        }

        public FormatException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private TestVectors() {}

    public static File read(Path path) throws IOException {
        long size = Files.size(path);
        if (size > MAX_FILE_BYTES) {
            throw new FormatException(path + ": " + size + " bytes exceeds the limit of " + MAX_FILE_BYTES);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in);
        } catch (FormatException e) {
            throw new FormatException(path + ": " + e.getMessage(), e);
        }
    }

    public static File read(InputStream in) throws IOException {
        try (JsonParser p = JSON.createParser(in)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "top level", p);
            List<Vector> vectors = null;
            String hint = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                switch (field) {
                    case "vectors" -> vectors = readVectors(p, t);
                    case "tolerance_hint" -> hint = t == JsonToken.VALUE_STRING ? p.getText() : "";
                    default -> p.skipChildren();
                }
            }
            if (vectors == null) {
                throw new FormatException("no \"vectors\" array");
            }
            return new File(List.copyOf(vectors), hint);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new FormatException("not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr(), e);
        }
    }

    private static List<Vector> readVectors(JsonParser p, JsonToken t) throws IOException {
        expect(t, JsonToken.START_ARRAY, "vectors", p);
        List<Vector> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String where = "vectors[" + out.size() + "]";
            String id = where;
            boolean reset = false;
            List<TensorData> inputs = null;
            List<TensorData> outputs = List.of();
            Optional<Probe> probe = Optional.empty();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "id" -> id = p.getValueAsString(where);
                    case "reset_variable_tensors_before" -> reset = v == JsonToken.VALUE_TRUE;
                    case "inputs" -> inputs = readTensors(p, v, where + ".inputs");
                    case "outputs" -> outputs = readTensors(p, v, where + ".outputs");
                    case "intermediate_probe" -> probe = Optional.of(readProbe(p, v, where + ".intermediate_probe"));
                    default -> p.skipChildren();
                }
            }
            if (inputs == null) {
                throw new FormatException(where + " (" + id + "): no \"inputs\"");
            }
            out.add(new Vector(id, reset, inputs, outputs, probe));
        }
        return out;
    }

    private static List<TensorData> readTensors(JsonParser p, JsonToken t, String where) throws IOException {
        expect(t, JsonToken.START_ARRAY, where, p);
        List<TensorData> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            out.add(readTensor(p, where + "[" + out.size() + "]", "index"));
        }
        return out;
    }

    private static Probe readProbe(JsonParser p, JsonToken t, String where) throws IOException {
        expect(t, JsonToken.START_OBJECT, where, p);
        TensorData d = readTensor(p, where, "tensor_index");
        return new Probe(d.index(), d);
    }

    /** Reads the fields of one tensor object; the parser is on its START_OBJECT. */
    private static TensorData readTensor(JsonParser p, String where, String indexField) throws IOException {
        Integer index = null;
        TensorType type = null;
        int[] shape = null;
        List<Number> data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals(indexField)) {
                if (v != JsonToken.VALUE_NUMBER_INT) {
                    throw new FormatException(where + "." + indexField + " must be an integer");
                }
                index = p.getIntValue();
            } else if (field.equals("dtype")) {
                try {
                    type = TensorType.ofDtype(p.getValueAsString(""));
                } catch (IllegalArgumentException e) {
                    throw new FormatException(where + ".dtype: " + e.getMessage());
                }
            } else if (field.equals("shape")) {
                expect(v, JsonToken.START_ARRAY, where + ".shape", p);
                List<Integer> dims = new ArrayList<>();
                while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                    dims.add(p.getIntValue());
                }
                shape = dims.stream().mapToInt(Integer::intValue).toArray();
            } else if (field.equals("data")) {
                expect(v, JsonToken.START_ARRAY, where + ".data", p);
                data = new ArrayList<>();
                JsonToken e;
                while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (e == JsonToken.VALUE_NUMBER_INT) {
                        data.add(p.getLongValue());
                    } else if (e == JsonToken.VALUE_NUMBER_FLOAT) {
                        data.add(p.getDoubleValue());
                    } else {
                        throw new FormatException(where + ".data[" + data.size() + "] is not a number");
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (index == null || data == null) {
            throw new FormatException(where + ": needs \"" + indexField + "\" and \"data\"");
        }
        if (type == null) {
            type = data.stream().allMatch(n -> n instanceof Long) ? TensorType.INT32 : TensorType.FLOAT32;
        }
        if (shape == null) {
            shape = new int[] {data.size()};
        }
        if (type == TensorType.FLOAT32) {
            float[] f = new float[data.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = data.get(i).floatValue();
            }
            return new TensorData(index, type, shape, new long[0], f);
        }
        long[] v = new long[data.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(data.get(i) instanceof Long l)) {
                throw new FormatException(where + ".data[" + i + "] is not an integer but dtype is " + type.dtype());
            }
            v[i] = l;
        }
        return new TensorData(index, type, shape, v, new float[0]);
    }

    private static void expect(JsonToken actual, JsonToken expected, String where, JsonParser p) {
        if (actual != expected) {
            throw new FormatException(where + ": expected " + expected + " but found " + actual + " at line "
                    + p.currentLocation().getLineNr());
        }
    }

    /**
     * Runs vectors in order on a session: resets state where a vector asks, writes its inputs,
     * invokes, and reads every output.
     */
    public static List<Result> run(InferenceSession session, List<Vector> vectors) {
        List<Result> results = new ArrayList<>();
        for (Vector v : vectors) {
            results.add(new Result(v.id(), runOne(session, v)));
        }
        return results;
    }

    /** Runs one vector (see {@link #run}). */
    public static List<TensorData> runOne(InferenceSession session, Vector v) {
        if (v.resetBefore()) {
            session.resetVariableTensors();
        }
        for (TensorData in : v.inputs()) {
            if (in.index() < 0 || in.index() >= session.inputs().size()) {
                throw new FormatException(v.id() + ": input index " + in.index() + " but the model has "
                        + session.inputs().size() + " inputs");
            }
            TensorSpec spec = session.inputs().get(in.index());
            try {
                in.writeTo(spec, session.input(in.index()));
            } catch (IllegalArgumentException e) {
                throw new FormatException(v.id() + ": " + e.getMessage(), e);
            }
        }
        session.invoke();
        List<TensorData> outs = new ArrayList<>();
        for (int i = 0; i < session.outputs().size(); i++) {
            outs.add(TensorData.read(i, session.outputs().get(i), session.output(i)));
        }
        return outs;
    }

    /**
     * Writes {@code {"engine": ..., "vectors": [{"id": ..., "outputs": [{"index", "shape", "dtype",
     * "data"}]}]}} with raw output values.
     */
    public static void writeResults(String engine, List<Result> results, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("engine", engine);
            g.writeArrayFieldStart("vectors");
            for (Result r : results) {
                g.writeStartObject();
                g.writeStringField("id", r.id());
                g.writeArrayFieldStart("outputs");
                for (TensorData t : r.outputs()) {
                    g.writeStartObject();
                    g.writeNumberField("index", t.index());
                    g.writeArrayFieldStart("shape");
                    for (int d : t.shape()) {
                        g.writeNumber(d);
                    }
                    g.writeEndArray();
                    g.writeStringField("dtype", t.type().dtype());
                    g.writeArrayFieldStart("data");
                    if (t.isFloat()) {
                        for (float f : t.floats()) {
                            g.writeNumber(f);
                        }
                    } else {
                        for (long l : t.ints()) {
                            g.writeNumber(l);
                        }
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeRaw('\n');
        }
    }
}
