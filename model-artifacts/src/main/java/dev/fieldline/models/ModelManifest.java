package dev.fieldline.models;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What a model is and how it was made: {@code <name>.manifest.json} beside its {@code .tflite} files.
 * The format is described in {@code docs/models.md}.
 *
 * @param name the model's name
 * @param version its version
 * @param description one paragraph for humans
 * @param labels class names by output index
 * @param preprocessing how raw readings become the model's input
 * @param files the model files (e.g. float32 and int8), with checksum, tensors and accuracy
 * @param evaluation the held-out test set the accuracies were measured on
 * @param producedBy exactly how the files were produced
 */
public record ModelManifest(
        String name,
        String version,
        String description,
        List<String> labels,
        Preprocessing preprocessing,
        List<FileEntry> files,
        Evaluation evaluation,
        Provenance producedBy) {

    /** Largest manifest read. */
    public static final int MAX_BYTES = 1 << 20;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
            .build();

    public ModelManifest {
        labels = List.copyOf(labels);
        files = List.copyOf(files);
    }

    /**
     * The input window and its normalisation: {@code (x - offset) / scale}, clipped to {@code ±clip}.
     *
     * @param source what the readings are (e.g. {@code TMP36 temperature, Cel})
     * @param window readings per input
     * @param sampleInterval the interval the model was trained for (ISO-8601 duration text)
     * @param offset what to subtract; empty means the window's mean
     * @param scale what to divide by
     * @param clip the largest magnitude kept, if any
     */
    public record Preprocessing(String source, int window, String sampleInterval, OptionalDouble offset, double scale,
            OptionalDouble clip) {}

    /**
     * One tensor of a model file.
     *
     * @param index position among the model's inputs or outputs
     * @param name the tensor's name
     * @param dtype element type ({@code float32}, {@code int8})
     * @param shape dimensions
     * @param scale quantisation scale, if quantised
     * @param zeroPoint quantisation zero point, if quantised
     * @param meaning what the values are
     */
    public record Tensor(int index, String name, String dtype, List<Integer> shape, OptionalDouble scale,
            Optional<Long> zeroPoint, String meaning) {
        public Tensor {
            shape = List.copyOf(shape);
        }
    }

    /**
     * One model file.
     *
     * @param file its name, beside the manifest
     * @param variant {@code float32} or {@code int8}
     * @param sha256 lower-case hex SHA-256 of the file's bytes
     * @param bytes its size
     * @param inputs its inputs
     * @param outputs its outputs
     * @param accuracy fraction of the held-out test set classified right
     */
    public record FileEntry(String file, String variant, String sha256, long bytes, List<Tensor> inputs,
            List<Tensor> outputs, double accuracy) {
        public FileEntry {
            inputs = List.copyOf(inputs);
            outputs = List.copyOf(outputs);
        }
    }

    /**
     * The held-out test set.
     *
     * @param examples how many examples
     * @param description how it was drawn
     * @param perClass examples per label
     */
    public record Evaluation(int examples, String description, Map<String, Integer> perClass) {
        public Evaluation {
            perClass = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(perClass));
        }
    }

    /**
     * How the files were produced.
     *
     * @param command the command line that reproduces them
     * @param seed the seed it used
     * @param settings the training and quantisation settings, as text
     */
    public record Provenance(String command, long seed, Map<String, String> settings) {
        public Provenance {
            settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        }
    }

    /** The entry for a file name. */
    public Optional<FileEntry> file(String fileName) {
        return files.stream().filter(f -> f.file().equals(fileName)).findFirst();
    }

    // ------------------------------------------------------------------ JSON

    /** The manifest as pretty-printed JSON (two-space indent, fixed key order, trailing newline). */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultPrettyPrinter.FixedSpaceIndenter());
            g.setPrettyPrinter(pp);
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("version", version);
            g.writeStringField("description", description);
            g.writeArrayFieldStart("labels");
            for (String l : labels) {
                g.writeString(l);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("preprocessing");
            g.writeStringField("source", preprocessing.source());
            g.writeNumberField("window", preprocessing.window());
            g.writeStringField("sample_interval", preprocessing.sampleInterval());
            g.writeObjectFieldStart("normalisation");
            g.writeStringField("formula", "clip((x - offset) / scale, -clip, clip)");
            if (preprocessing.offset().isPresent()) {
                g.writeNumberField("offset", preprocessing.offset().getAsDouble());
            } else {
                g.writeStringField("offset", "window-mean");
            }
            g.writeNumberField("scale", preprocessing.scale());
            if (preprocessing.clip().isPresent()) {
                g.writeNumberField("clip", preprocessing.clip().getAsDouble());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("files");
            for (FileEntry f : files) {
                g.writeStartObject();
                g.writeStringField("file", f.file());
                g.writeStringField("variant", f.variant());
                g.writeStringField("sha256", f.sha256());
                g.writeNumberField("bytes", f.bytes());
                writeTensors(g, "inputs", f.inputs());
                writeTensors(g, "outputs", f.outputs());
                g.writeNumberField("accuracy", f.accuracy());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("evaluation");
            g.writeNumberField("examples", evaluation.examples());
            g.writeStringField("description", evaluation.description());
            g.writeObjectFieldStart("per_class");
            for (Map.Entry<String, Integer> e : evaluation.perClass().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeObjectFieldStart("produced_by");
            g.writeStringField("command", producedBy.command());
            g.writeNumberField("seed", producedBy.seed());
            g.writeObjectFieldStart("settings");
            for (Map.Entry<String, String> e : producedBy.settings().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
            g.writeRaw('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeTensors(JsonGenerator g, String field, List<Tensor> tensors) throws IOException {
        g.writeArrayFieldStart(field);
        for (Tensor t : tensors) {
            g.writeStartObject();
            g.writeNumberField("index", t.index());
            g.writeStringField("name", t.name());
            g.writeStringField("dtype", t.dtype());
            g.writeArrayFieldStart("shape");
            for (int d : t.shape()) {
                g.writeNumber(d);
            }
            g.writeEndArray();
            if (t.scale().isPresent()) {
                g.writeObjectFieldStart("quantization");
                g.writeNumberField("scale", (float) t.scale().getAsDouble());
                g.writeNumberField("zero_point", t.zeroPoint().orElse(0L));
                g.writeEndObject();
            } else {
                g.writeNullField("quantization");
            }
            g.writeStringField("meaning", t.meaning());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Reads a manifest file. */
    public static ModelManifest read(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) {
            throw new ManifestException(file + ": larger than " + MAX_BYTES + " bytes");
        }
        try {
            return parse(Files.readAllBytes(file));
        } catch (ManifestException e) {
            throw new ManifestException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a manifest. */
    public static ModelManifest parse(byte[] json) {
        Object tree;
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            tree = value(p);
        } catch (IOException e) {
            throw new ManifestException("not valid JSON: " + e.getMessage(), e);
        }
        Obj root = Obj.of(tree, "manifest");
        Obj pre = root.obj("preprocessing");
        Obj norm = pre.obj("normalisation");
        Object offset = norm.raw("offset");
        OptionalDouble off;
        if ("window-mean".equals(offset)) {
            off = OptionalDouble.empty();
        } else if (offset instanceof Number n) {
            off = OptionalDouble.of(n.doubleValue());
        } else {
            throw new ManifestException("preprocessing.normalisation.offset must be a number or \"window-mean\"");
        }
        Preprocessing preprocessing = new Preprocessing(pre.string("source"), (int) pre.number("window"),
                pre.string("sample_interval"), off, norm.number("scale"),
                norm.has("clip") ? OptionalDouble.of(norm.number("clip")) : OptionalDouble.empty());
        List<FileEntry> files = new ArrayList<>();
        for (Obj f : root.objects("files")) {
            files.add(new FileEntry(f.string("file"), f.string("variant"), f.string("sha256"), (long) f.number("bytes"),
                    tensors(f.objects("inputs")), tensors(f.objects("outputs")), f.number("accuracy")));
        }
        Obj ev = root.obj("evaluation");
        Map<String, Integer> perClass = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : ev.obj("per_class").map.entrySet()) {
            perClass.put(e.getKey(), ((Number) e.getValue()).intValue());
        }
        Obj by = root.obj("produced_by");
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : by.obj("settings").map.entrySet()) {
            settings.put(e.getKey(), String.valueOf(e.getValue()));
        }
        List<String> labels = new ArrayList<>();
        for (Object l : root.list("labels")) {
            labels.add(String.valueOf(l));
        }
        return new ModelManifest(root.string("name"), root.string("version"), root.string("description"), labels,
                preprocessing, files, new Evaluation((int) ev.number("examples"), ev.string("description"), perClass),
                new Provenance(by.string("command"), (long) by.number("seed"), settings));
    }

    private static List<Tensor> tensors(List<Obj> list) {
        List<Tensor> out = new ArrayList<>();
        for (Obj t : list) {
            List<Integer> shape = new ArrayList<>();
            for (Object d : t.list("shape")) {
                shape.add(((Number) d).intValue());
            }
            OptionalDouble scale = OptionalDouble.empty();
            Optional<Long> zp = Optional.empty();
            if (t.raw("quantization") != null) {
                Obj q = t.obj("quantization");
                scale = OptionalDouble.of((float) q.number("scale")); // written as float32, as the model holds it
                zp = Optional.of((long) q.number("zero_point"));
            }
            out.add(new Tensor((int) t.number("index"), t.string("name"), t.string("dtype"), shape, scale, zp,
                    t.string("meaning")));
        }
        return out;
    }

    private static Object value(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new ManifestException("empty document");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String k = p.currentName();
                    p.nextToken();
                    m.put(k, value(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new ManifestException("unexpected " + t);
        };
    }

    /** A JSON object with typed, located accessors. */
    private record Obj(Map<String, Object> map, String path) {
        @SuppressWarnings("unchecked")
        static Obj of(Object o, String path) {
            if (!(o instanceof Map)) {
                throw new ManifestException(path + " must be an object");
            }
            return new Obj((Map<String, Object>) o, path);
        }

        boolean has(String key) {
            return map.get(key) != null;
        }

        Object raw(String key) {
            return map.get(key);
        }

        Object require(String key) {
            Object v = map.get(key);
            if (v == null) {
                throw new ManifestException(path + "." + key + " is missing");
            }
            return v;
        }

        String string(String key) {
            if (!(require(key) instanceof String s)) {
                throw new ManifestException(path + "." + key + " must be a string");
            }
            return s;
        }

        double number(String key) {
            if (!(require(key) instanceof Number n)) {
                throw new ManifestException(path + "." + key + " must be a number");
            }
            return n.doubleValue();
        }

        Obj obj(String key) {
            return of(require(key), path + "." + key);
        }

        List<Object> list(String key) {
            if (!(require(key) instanceof List<?> l)) {
                throw new ManifestException(path + "." + key + " must be an array");
            }
            return new ArrayList<>(l);
        }

        List<Obj> objects(String key) {
            List<Obj> out = new ArrayList<>();
            List<Object> l = list(key);
            for (int i = 0; i < l.size(); i++) {
                out.add(of(l.get(i), path + "." + key + "[" + i + "]"));
            }
            return out;
        }
    }

    /** A manifest that cannot be read: the message says where and why. */
    public static final class ManifestException extends RuntimeException {
        public ManifestException(String message) {
            super(message);
        }

        public ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
