package dev.fieldline.tools.model;

import dev.fieldline.agent.inference.Postprocessing;
import dev.fieldline.agent.inference.Preprocessing;
import dev.fieldline.boards.ModelSpec.Normalisation;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.models.ModelManifest;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.training.Adam;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.SoftmaxCrossEntropy;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import dev.fieldline.training.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Trains the project's sensor-anomaly classifier on {@link SensorWindows} and exports it in float32
 * and int8, with its manifest. Everything derives from the seed, single-threaded: the same seed
 * gives the same bytes.
 */
public final class SensorModelTraining {
    public static final String NAME = "sensor-anomaly";
    public static final String VERSION = "1.0.0";
    /** Normalisation of a window: subtract its mean, in units of 0.5 Cel, clipped to ±8 (±4 Cel). */
    public static final Normalisation NORMALISATION = Normalisation.windowMean(0.5, OptionalDouble.of(8));
    static final int TRAIN_PER_CLASS = 4000;
    static final int TEST_PER_CLASS = 500;
    static final int CALIBRATION = 1000;
    static final int EPOCHS = 40;
    static final int BATCH = 32;
    static final float LEARNING_RATE = 0.003f;
    static final int[] HIDDEN = {32, 16};
    static final TfliteExport.WeightGranularity GRANULARITY = TfliteExport.WeightGranularity.PER_TENSOR;

    /**
     * What a run produced.
     *
     * @param floatModel the float32 file's bytes
     * @param int8Model the int8 file's bytes
     * @param manifest the manifest describing both
     */
    public record Result(byte[] floatModel, byte[] int8Model, ModelManifest manifest) {
        public String floatFile() {
            return NAME + "-float.tflite";
        }

        public String int8File() {
            return NAME + "-int8.tflite";
        }

        /** Writes the two models and the manifest into {@code dir}. */
        public void write(Path dir) throws IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve(floatFile()), floatModel);
            Files.write(dir.resolve(int8File()), int8Model);
            Files.write(dir.resolve(NAME + ".manifest.json"), manifest.toJson());
        }
    }

    private SensorModelTraining() {
    }

    /** Trains, exports and evaluates; {@code command} is recorded in the manifest as how to reproduce it. */
    public static Result run(long seed, String command) {
        SensorWindows.Sample train = SensorWindows.generate(TRAIN_PER_CLASS, seed);
        SensorWindows.Sample test = SensorWindows.generate(TEST_PER_CLASS, seed + 1);
        Dataset trainSet = Dataset.classification(normalise(train), SensorWindows.WINDOW, train.labels(),
                SensorWindows.LABELS.size());
        Sequential.Builder b = Sequential.builder(seed, SensorWindows.WINDOW);
        for (int h : HIDDEN) {
            b.dense(h).relu();
        }
        Sequential model = b.dense(SensorWindows.LABELS.size()).build();
        Trainer.fit(model, trainSet, new SoftmaxCrossEntropy(), new Adam(LEARNING_RATE),
                new Trainer.Config(EPOCHS, BATCH, seed));
        String description = NAME + " " + VERSION + ": " + String.join("/", SensorWindows.LABELS)
                + " classifier over a window of " + SensorWindows.WINDOW + " TMP36 readings (docs/models.md)";
        byte[] floatBytes = TfliteExport.float32(model, description);
        byte[] int8Bytes = TfliteExport.int8(model, trainSet.inputs(), CALIBRATION, GRANULARITY, description);
        double floatAccuracy = accuracy(floatBytes, test);
        double int8Accuracy = accuracy(int8Bytes, test);

        Map<String, Integer> perClass = new LinkedHashMap<>();
        for (String l : SensorWindows.LABELS) {
            perClass.put(l, TEST_PER_CLASS);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("data", "SensorWindows: the agent's TemperatureModel through the sim ADC (12 bit, 3.3 V) and the "
                + "Tmp36 driver; random base 10-30 Cel, noise 0.1-0.35 Cel, daily amplitude 0-5 Cel, slow drift "
                + "+-0.5 Cel/h; spike 2-15 Cel anywhere; drift 0.05-0.5 Cel/s for >= 8 readings and >= 1 Cel; stuck "
                + "for the last 12-32 readings");
        settings.put("training_examples", TRAIN_PER_CLASS * SensorWindows.LABELS.size() + " (seed " + seed + ")");
        settings.put("architecture", "dense " + HIDDEN[0] + " relu, dense " + HIDDEN[1] + " relu, dense "
                + SensorWindows.LABELS.size() + " (logits)");
        settings.put("loss", "softmax cross-entropy");
        settings.put("optimizer", "adam lr " + LEARNING_RATE + " beta1 0.9 beta2 0.999 eps 1e-7");
        settings.put("epochs", Integer.toString(EPOCHS));
        settings.put("batch_size", Integer.toString(BATCH));
        settings.put("quantization", "post-training, full int8: activations asymmetric int8 calibrated on the first "
                + CALIBRATION + " training windows; weights symmetric int8 "
                + GRANULARITY.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "; bias int32. Per-tensor "
                + "weights because TensorFlow Lite 2.6's FULLY_CONNECTED reads a single weight scale (with per-channel "
                + "weights it silently outputs the zero point); 2.20 and the micro interpreter take either");
        ModelManifest manifest = new ModelManifest(NAME, VERSION,
                "Classifies a sliding window of " + SensorWindows.WINDOW + " TMP36 temperature readings, one per second, "
                        + "as normal, spike (one reading far off), drift (a ramp away from the trend) or stuck (the "
                        + "sensor repeating its value). Trained on the agent's simulated sensor.",
                SensorWindows.LABELS,
                new ModelManifest.Preprocessing("TMP36 temperature readings, Cel (the agent's tmp36 driver)",
                        SensorWindows.WINDOW, SensorWindows.INTERVAL.toString(), NORMALISATION.offset(),
                        NORMALISATION.scale(), NORMALISATION.clip()),
                List.of(entry(NAME + "-float.tflite", "float32", floatBytes, floatAccuracy),
                        entry(NAME + "-int8.tflite", "int8", int8Bytes, int8Accuracy)),
                new ModelManifest.Evaluation(test.count(), "fresh windows from SensorWindows with seed " + (seed + 1)
                        + ", not seen in training; accuracy as run on the micro interpreter", perClass),
                new ModelManifest.Provenance(command, seed, settings));
        return new Result(floatBytes, int8Bytes, manifest);
    }

    /** Normalises every window as the agent's inference stage does. */
    static float[] normalise(SensorWindows.Sample s) {
        float[] out = new float[s.readings().length];
        double[] w = new double[SensorWindows.WINDOW];
        float[] n = new float[SensorWindows.WINDOW];
        for (int i = 0; i < s.count(); i++) {
            System.arraycopy(s.readings(), i * SensorWindows.WINDOW, w, 0, w.length);
            Preprocessing.normalise(w, w.length, NORMALISATION, n);
            System.arraycopy(n, 0, out, i * SensorWindows.WINDOW, n.length);
        }
        return out;
    }

    /**
     * Fraction of windows a model file classifies right on the micro interpreter, preprocessed (and
     * quantised) exactly as the agent does.
     */
    public static double accuracy(byte[] modelBytes, SensorWindows.Sample sample) {
        float[] inputs = normalise(sample);
        int right = 0;
        try (MicroInterpreter session = MicroInterpreter.create(TfliteModel.parse(modelBytes))) {
            TensorSpec in = session.inputs().get(0);
            TensorSpec out = session.outputs().get(0);
            float[] one = new float[SensorWindows.WINDOW];
            for (int i = 0; i < sample.count(); i++) {
                System.arraycopy(inputs, i * one.length, one, 0, one.length);
                Preprocessing.write(one, one.length, in, session.input(0));
                session.invoke();
                if (Postprocessing.argmax(Postprocessing.dequantize(out, session.output(0))) == sample.labels()[i]) {
                    right++;
                }
            }
        }
        return right / (double) sample.count();
    }

    private static ModelManifest.FileEntry entry(String file, String variant, byte[] bytes, double accuracy) {
        TfliteModel m = TfliteModel.parse(bytes);
        List<ModelManifest.Tensor> inputs = new ArrayList<>();
        inputs.add(tensor(0, m.input(0), "the window: " + SensorWindows.WINDOW + " readings oldest first, normalised "
                + "(x - window mean) / 0.5 Cel clipped to +-8" + (variant.equals("int8") ? ", then quantised" : "")));
        List<ModelManifest.Tensor> outputs = new ArrayList<>();
        outputs.add(tensor(0, m.output(0), "logits of " + String.join(", ", SensorWindows.LABELS)
                + " (apply softmax for probabilities)" + (variant.equals("int8") ? "; dequantise first" : "")));
        return new ModelManifest.FileEntry(file, variant, m.sha256(), bytes.length, inputs, outputs,
                Math.round(accuracy * 10_000) / 10_000.0);
    }

    private static ModelManifest.Tensor tensor(int index, TensorInfo t, String meaning) {
        List<Integer> shape = new ArrayList<>();
        for (int d : t.shape()) {
            shape.add(d);
        }
        boolean q = t.quantization().isQuantized();
        return new ModelManifest.Tensor(index, t.name(), t.type().dtype(), shape,
                q ? OptionalDouble.of(t.quantization().scale(0)) : OptionalDouble.empty(),
                q ? Optional.of(t.quantization().zeroPoint(0)) : Optional.empty(), meaning);
    }
}
