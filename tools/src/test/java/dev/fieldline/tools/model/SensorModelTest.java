package dev.fieldline.tools.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.models.ModelManifest;
import dev.fieldline.models.StockModels;
import dev.fieldline.tflite.TfliteModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The committed sensor-anomaly model: reproducible from its manifest, and accurate on fresh data. */
class SensorModelTest {
    private static final Path MODELS = Path.of("..", "model-artifacts", "models");

    private static ModelManifest committed() throws Exception {
        return ModelManifest.read(MODELS.resolve(SensorModelTraining.NAME + ".manifest.json"));
    }

    @Test
    void committedFilesMatchTheirManifestAndTheClassPathCopies() throws Exception {
        ModelManifest m = committed();
        for (ModelManifest.FileEntry f : m.files()) {
            byte[] bytes = Files.readAllBytes(MODELS.resolve(f.file()));
            assertThat(sha256(bytes)).as(f.file()).isEqualTo(f.sha256());
            assertThat(bytes.length).isEqualTo(f.bytes());
            assertThat(StockModels.bytes(f.file().replace(".tflite", ""))).as("bundled " + f.file()).hasValue(bytes);
        }
        assertThat(StockModels.manifest("sensor-anomaly-int8")).hasValue(m);
    }

    /** Re-runs the training the manifest records and gets the same bytes. */
    @Test
    void trainingIsReproducible() throws Exception {
        ModelManifest m = committed();
        SensorModelTraining.Result r = SensorModelTraining.run(m.producedBy().seed(), m.producedBy().command());
        assertThat(sha256(r.floatModel())).isEqualTo(m.file(r.floatFile()).orElseThrow().sha256());
        assertThat(sha256(r.int8Model())).isEqualTo(m.file(r.int8File()).orElseThrow().sha256());
        // the manifest too, but for the accuracies: they are measured on the micro interpreter, whose int8
        // rounding may be corrected to TFLite's later without the model changing (allow a few windows)
        assertThat(withoutAccuracy(new String(r.manifest().toJson())))
                .isEqualTo(withoutAccuracy(Files.readString(MODELS.resolve("sensor-anomaly.manifest.json"))));
        for (ModelManifest.FileEntry f : m.files()) {
            assertThat(r.manifest().file(f.file()).orElseThrow().accuracy()).as(f.file())
                    .isCloseTo(f.accuracy(), org.assertj.core.data.Offset.offset(0.0025));
        }
        // a different seed trains a different model
        SensorModelTraining.Result other = SensorModelTraining.run(m.producedBy().seed() + 100, "x");
        assertThat(sha256(other.int8Model())).isNotEqualTo(sha256(r.int8Model()));
    }

    /** The committed files on the micro interpreter, on windows never seen in training or in the manifest's test. */
    @Test
    void committedModelsAreAccurateOnFreshSimulatedData() throws Exception {
        SensorWindows.Sample fresh = SensorWindows.generate(400, 20_240_917L);
        for (String file : new String[] {"sensor-anomaly-float.tflite", "sensor-anomaly-int8.tflite"}) {
            byte[] bytes = Files.readAllBytes(MODELS.resolve(file));
            TfliteModel.parse(bytes);
            double accuracy = SensorModelTraining.accuracy(bytes, fresh);
            assertThat(accuracy).as(file).isGreaterThan(0.97);
        }
    }

    private static String withoutAccuracy(String manifest) {
        return manifest.replaceAll("\"accuracy\" : [0-9.]+", "\"accuracy\" : _");
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }
}
