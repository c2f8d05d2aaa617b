package dev.fieldline.agent.inference;

import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.AgentException.Reason;
import dev.fieldline.boards.ModelSpec;
import dev.fieldline.boards.ModelSpec.Normalisation;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.EngineUnavailableException;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.models.ModelManifest;
import dev.fieldline.models.StockModels;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.TfliteModel;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One model of the board profile, loaded on its engine with everything resolved: labels, window,
 * normalisation (from the profile, else from the model's manifest). Runs one input at a time
 * (preprocess, invoke, postprocess) on the caller's thread; not thread-safe, the inference stage
 * gives each runner one thread at a time.
 */
public final class ModelRunner implements AutoCloseable {
    /** Normalisation of frames when neither profile nor manifest says: 0..255 to 0..1. */
    public static final Normalisation FRAME_DEFAULT = new Normalisation(OptionalDouble.of(0), 255, OptionalDouble.empty());

    private final ModelSpec spec;
    private final InferenceSession session;
    private final TensorSpec input;
    private final TensorSpec output;
    private final boolean endsInSoftmax;
    private final List<String> labels;
    private final Normalisation normalisation;
    private final int window;
    private final float[] normalised;
    private final Optional<ModelManifest> manifest;
    private final String sha256;

    private ModelRunner(ModelSpec spec, InferenceSession session, TfliteModel model, List<String> labels,
            Normalisation normalisation, int window, Optional<ModelManifest> manifest) {
        this.spec = spec;
        this.session = session;
        this.input = session.inputs().get(0);
        this.output = session.outputs().get(0);
        this.endsInSoftmax = endsInSoftmax(model);
        this.labels = List.copyOf(labels);
        this.normalisation = normalisation;
        this.window = window;
        this.normalised = new float[input.elementCount()];
        this.manifest = manifest;
        this.sha256 = model.sha256();
    }

    /**
     * Loads a model of a board profile.
     *
     * @throws AgentException ({@code MODEL}) naming the board, the model and what is wrong
     */
    public static ModelRunner open(String board, ModelSpec spec) {
        String where = "board '" + board + "' model '" + spec.name() + "': ";
        byte[] bytes;
        String fileName;
        Optional<ModelManifest> manifest;
        try {
            if (spec.source() instanceof ModelSpec.Source.Stock s) {
                bytes = StockModels.bytes(s.name()).orElseThrow(() -> new AgentException(Reason.MODEL, where
                        + "no stock model '" + s.name() + "' in this build; stock models: " + String.join(", ", StockModels.NAMES)));
                fileName = StockModels.fileName(s.name());
                manifest = spec.manifest().isPresent() ? Optional.of(ModelManifest.read(spec.manifest().get()))
                        : StockModels.manifest(s.name());
            } else {
                Path file = ((ModelSpec.Source.File) spec.source()).path();
                bytes = Files.readAllBytes(file);
                fileName = file.getFileName().toString();
                manifest = spec.manifest().isPresent() ? Optional.of(ModelManifest.read(spec.manifest().get()))
                        : findManifest(file);
            }
        } catch (IOException | ModelManifest.ManifestException e) {
            throw new AgentException(Reason.MODEL, where + e.getMessage(), e);
        }
        return load(where, spec, bytes, fileName, manifest);
    }

    /**
     * A runner for another file of the same model slot (a delivered version): the same engine,
     * input, labels, normalisation and window as this one, so the slot's events and windows carry
     * on unchanged.
     *
     * @throws AgentException ({@code MODEL}) when the file is not a model the engine runs, or does not
     *     fit the slot (its input or output size differs)
     */
    public ModelRunner replacement(byte[] bytes, Path file) {
        ModelSpec.Input in = spec.input() instanceof ModelSpec.Input.SensorWindow w
                ? new ModelSpec.Input.SensorWindow(w.sensor(), java.util.OptionalInt.of(window), w.every()) : spec.input();
        ModelSpec next = new ModelSpec(spec.name(), new ModelSpec.Source.File(file), Optional.empty(), spec.engine(), in,
                Optional.of(normalisation), labels, spec.threshold(), spec.severities());
        return load("model '" + spec.name() + "' (" + file.getFileName() + "): ", next, bytes, file.getFileName().toString(),
                Optional.empty());
    }

    /**
     * Runs self-test vectors on this runner's session: raw input 0 in, output 0 compared.
     *
     * @return empty when every vector matches, else which vector and what differs
     */
    public Optional<String> selfTest(List<byte[]> inputs, List<byte[]> outputs, double tolerance) {
        for (int i = 0; i < inputs.size(); i++) {
            Optional<String> diff;
            try {
                diff = dev.fieldline.inference.SelfTest.check(session, inputs.get(i), outputs.get(i), tolerance);
            } catch (RuntimeException e) {
                diff = Optional.of("the model failed: " + e);
            }
            if (diff.isPresent()) {
                return Optional.of("vector " + (i + 1) + " of " + inputs.size() + ": " + diff.get());
            }
        }
        return Optional.empty();
    }

    private static ModelRunner load(String where, ModelSpec spec, byte[] bytes, String fileName, Optional<ModelManifest> manifest) {
        TfliteModel model;
        try {
            model = TfliteModel.parse(bytes);
        } catch (ModelException e) {
            throw new AgentException(Reason.MODEL, where + fileName + ": " + e.getMessage(), e);
        }
        if (manifest.isPresent()) {
            ModelManifest.FileEntry entry = manifest.get().file(fileName).orElseThrow(() -> new AgentException(Reason.MODEL,
                    where + "its manifest '" + manifest.get().name() + "' does not list " + fileName));
            if (!entry.sha256().equals(model.sha256())) {
                throw new AgentException(Reason.MODEL, where + fileName + " has sha256 " + model.sha256()
                        + " but its manifest says " + entry.sha256());
            }
        }
        InferenceEngine engine;
        try {
            engine = Engines.require(spec.engine());
        } catch (EngineUnavailableException e) {
            throw new AgentException(Reason.MODEL, where + e.getMessage(), e);
        }
        InferenceSession session;
        try {
            session = engine.open(model, EngineOptions.DEFAULT);
        } catch (ModelException e) {
            // Prepared once when it loads; only a refusal pays for listing every problem.
            List<String> problems = engine.check(model);
            throw new AgentException(Reason.MODEL, where + "engine '" + engine.name() + "' cannot run " + fileName + ": "
                    + (problems.isEmpty() ? e.getMessage() : String.join("; ", problems)), e);
        } catch (EngineUnavailableException e) {
            throw new AgentException(Reason.MODEL, where + e.getMessage(), e);
        }
        try {
            return resolve(where, spec, session, model, manifest);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static ModelRunner resolve(String where, ModelSpec spec, InferenceSession session, TfliteModel model,
            Optional<ModelManifest> manifest) {
        if (session.inputs().size() != 1 || session.outputs().isEmpty()) {
            throw new AgentException(Reason.MODEL, where + "the inference stage runs models with one input, this one has "
                    + session.inputs().size());
        }
        TensorSpec in = session.inputs().get(0);
        int classes = session.outputs().get(0).elementCount();
        List<String> labels = !spec.labels().isEmpty() ? spec.labels()
                : manifest.map(ModelManifest::labels).orElse(List.of());
        if (!labels.isEmpty() && labels.size() != classes) {
            throw new AgentException(Reason.MODEL, where + labels.size() + " labels " + labels + " but the model has "
                    + classes + " outputs");
        }
        for (String label : spec.severities().keySet()) {
            if (!labels.isEmpty() && !labels.contains(label)) {
                throw new AgentException(Reason.MODEL, where + "severity for '" + label + "', which is not one of the labels " + labels);
            }
        }
        Optional<Normalisation> fromManifest = manifest.map(m -> new Normalisation(m.preprocessing().offset(),
                m.preprocessing().scale(), m.preprocessing().clip()));
        Normalisation norm;
        int window = 0;
        if (spec.input() instanceof ModelSpec.Input.SensorWindow w) {
            norm = spec.normalisation().or(() -> fromManifest).orElseThrow(() -> new AgentException(Reason.MODEL, where
                    + "no normalisation: give 'normalise' in the profile (the model has no manifest that says)"));
            window = w.window().isPresent() ? w.window().getAsInt()
                    : manifest.map(m -> m.preprocessing().window()).orElse(in.elementCount());
            if (window != in.elementCount()) {
                throw new AgentException(Reason.MODEL, where + "a window of " + window + " readings, but the model's input "
                        + java.util.Arrays.toString(in.shape()) + " takes " + in.elementCount());
            }
        } else {
            norm = spec.normalisation().or(() -> fromManifest).orElse(FRAME_DEFAULT);
            int[] hwc = imageShape(in);
            if (hwc == null) {
                throw new AgentException(Reason.MODEL, where + "frames need an image input [1, height, width, channels], the model's is "
                        + java.util.Arrays.toString(in.shape()));
            }
        }
        return new ModelRunner(spec, session, model, labels, norm, window, manifest);
    }

    /** A manifest beside the model file whose file list names it. */
    private static Optional<ModelManifest> findManifest(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.manifest.json")) {
            ds.forEach(candidates::add);
        }
        candidates.sort(null);
        for (Path c : candidates) {
            ModelManifest m = ModelManifest.read(c);
            if (m.file(file.getFileName().toString()).isPresent()) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    /** {@code [height, width, channels]} of an image input ({@code [1,H,W,C]}, {@code [H,W,C]} or {@code [1,H,W]}), else null. */
    static int[] imageShape(TensorSpec in) {
        int[] s = in.shape();
        if (s.length == 4 && s[0] == 1) {
            return new int[] {s[1], s[2], s[3]};
        }
        if (s.length == 3 && s[0] == 1) {
            return new int[] {s[1], s[2], 1};
        }
        if (s.length == 3) {
            return s;
        }
        return null;
    }

    private static boolean endsInSoftmax(TfliteModel model) {
        int out = model.outputs()[0];
        for (OperatorInfo op : model.operators()) {
            for (int o : op.outputs()) {
                if (o == out) {
                    return op.builtinCode() == BuiltinOperator.SOFTMAX;
                }
            }
        }
        return false;
    }

    /** Classifies a window of raw readings (oldest first); {@code values.length} must be the window. */
    public Postprocessing.Classification runWindow(double[] values) {
        Preprocessing.normalise(values, window, normalisation, normalised);
        Preprocessing.write(normalised, normalised.length, input, session.input(0));
        session.invoke();
        return Postprocessing.classify(output, session.output(0), endsInSoftmax, labels);
    }

    /** Classifies an image, resized to the model's input. */
    public Postprocessing.Classification runFrame(Frame frame) {
        int[] hwc = imageShape(input);
        double[] pixels = Preprocessing.resize(frame, hwc[0], hwc[1], hwc[2]);
        Preprocessing.normalise(pixels, pixels.length, normalisation, normalised);
        Preprocessing.write(normalised, normalised.length, input, session.input(0));
        session.invoke();
        return Postprocessing.classify(output, session.output(0), endsInSoftmax, labels);
    }

    /** The values written into the model's input by the last run (for tests and debugging). */
    public java.nio.ByteBuffer lastInput() {
        return session.input(0).asReadOnlyBuffer();
    }

    public ModelSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    public String engine() {
        return session.engine();
    }

    public List<String> labels() {
        return labels;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    /** Readings per input (sensor windows), 0 for frames. */
    public int window() {
        return window;
    }

    public Optional<ModelManifest> manifest() {
        return manifest;
    }

    public String sha256() {
        return sha256;
    }

    @Override
    public void close() {
        session.close();
    }
}
