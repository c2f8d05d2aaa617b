package dev.fieldline.agent.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.agent.AgentException;
import dev.fieldline.boards.BoardProfile;
import dev.fieldline.boards.BoardProfiles;
import dev.fieldline.boards.ModelSpec;
import dev.fieldline.inference.TensorData;
import dev.fieldline.inference.TestVectors;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import dev.fieldline.testsupport.SharedData;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera-style model through the image-frame source: person_detect on the person / no_person
 * images of its golden file. The golden inputs are the test images' raw bytes as TFLite Micro feeds
 * them, int8 samples ({@code pixel - 128}); the frames written here are those images as a camera
 * gives them ({@code int8 + 128}, 8-bit grey PGM), and the stage's preprocessing must turn them back
 * into exactly the golden inputs.
 */
@Tag("conformance")
class PersonDetectFramesTest {

    @TempDir
    Path dir;

    private Map<String, byte[]> goldenImages() throws Exception {
        Path models = SharedData.require("models");
        Map<String, byte[]> out = new ConcurrentHashMap<>();
        for (TestVectors.Vector v : TestVectors.read(models.resolve("golden/person_detect.golden.json")).vectors()) {
            if (v.id().equals("person") || v.id().equals("no_person")) {
                TensorData in = v.inputs().get(0);
                byte[] raw = new byte[in.ints().length];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) in.ints()[i];
                }
                out.put(v.id(), raw);
            }
        }
        assertThat(out).containsOnlyKeys("person", "no_person");
        return out;
    }

    private Path profile(Path frames, String engine) throws Exception {
        return profile(frames, engine, SharedData.require("models").resolve("person_detect.tflite"));
    }

    private Path profile(Path frames, String engine, Path model) throws Exception {
        Path f = dir.resolve("camera.yaml");
        Files.writeString(f, """
                name: camera
                platform: sim
                models:
                  person:
                    file: %s
                    engine: %s
                    input: {frames: %s, interval: 20ms}
                    # int8 input scale 1/127.5, zero point -1: (p - 127)/127.5 quantises to exactly p - 128
                    normalise: {offset: 127, scale: 127.5}
                    labels: [no_person, person]
                    threshold: 0.6
                    severity: {person: warning}
                """.formatted(model, engine, frames));
        return f;
    }

    @Test
    void framesFromADirectoryAreClassifiedPersonAndNoPerson() throws Exception {
        Map<String, byte[]> golden = goldenImages();
        Path frames = Files.createDirectory(dir.resolve("frames"));
        for (Map.Entry<String, byte[]> e : golden.entrySet()) {
            byte[] pixels = new byte[e.getValue().length];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (e.getValue()[i] + 128);
            }
            // 1-person.pgm, 2-no_person.pgm: alternating, so every frame changes the label
            String name = (e.getKey().equals("person") ? "1-" : "2-") + e.getKey() + ".pgm";
            Files.write(frames.resolve(name), FrameSource.toPgm(new Frame(96, 96, 1, pixels)));
        }
        BoardProfile p = BoardProfiles.load(profile(frames, "micro").toString());

        // the runner on its own: exact inputs, right labels
        try (ModelRunner runner = ModelRunner.open(p.name(), p.models().get(0))) {
            for (Map.Entry<String, byte[]> e : golden.entrySet()) {
                Path file = frames.resolve((e.getKey().equals("person") ? "1-" : "2-") + e.getKey() + ".pgm");
                Postprocessing.Classification c = runner.runFrame(FrameSource.read(file));
                ByteBuffer in = runner.lastInput();
                byte[] fed = new byte[in.remaining()];
                in.get(fed);
                assertThat(fed).as("preprocessed %s equals the golden input", e.getKey()).isEqualTo(e.getValue());
                assertThat(c.label()).isEqualTo(e.getKey());
                assertThat(c.confidence()).isGreaterThan(0.7f);
            }
        }

        // the stage: frames at their interval, events as the label changes
        List<String> labels = new CopyOnWriteArrayList<>();
        ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor();
        try (InferenceStage stage = InferenceStage.start(p, exec,
                (model, result, change, input, latency) -> labels.add(change.label() + "@" + input))) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> labels.size() >= 4);
            assertThat(stage.stats().get(0).errors()).isZero();
        }
        assertThat(new ArrayList<>(labels).subList(0, 4))
                .containsExactly("person@1-person.pgm", "no_person@2-no_person.pgm", "person@1-person.pgm",
                        "no_person@2-no_person.pgm");
    }

    @Test
    void anEngineThatCannotRunHereFailsStartUpWithEnginesMessage() throws Exception {
        Path frames = Files.createDirectory(dir.resolve("f"));
        BoardProfile p = BoardProfiles.load(profile(frames, "tflite-nowhere").toString());
        ModelSpec m = p.models().get(0);
        assertThatThrownBy(() -> ModelRunner.open(p.name(), m))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.MODEL))
                .hasMessageContaining("board 'camera' model 'person'")
                .hasMessageContaining("inference engine 'tflite-nowhere' is not in this build; available here: micro");
    }

    @Test
    void aModelTheEngineRefusesFailsStartUpListingEveryProblem() throws Exception {
        // two operators of a version the interpreter does not implement
        TfliteModelBuilder b = new TfliteModelBuilder();
        int x = b.addTensor("x", TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        int w = b.addConstantFloat("w", new int[] {2, 2}, new float[] {1, 0, 0, 1});
        int h = b.addTensor("h", TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        int y = b.addTensor("y", TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        BuiltinOptions.FullyConnected fc = new BuiltinOptions.FullyConnected(Activation.NONE, false, false);
        b.addOperator(BuiltinOperator.FULLY_CONNECTED, 99, new int[] {x, w, -1}, new int[] {h}, fc);
        b.addOperator(BuiltinOperator.FULLY_CONNECTED, 99, new int[] {h, w, -1}, new int[] {y}, fc);
        Path model = dir.resolve("future.tflite");
        Files.write(model, b.inputs(x).outputs(y).build());
        Path frames = Files.createDirectory(dir.resolve("f"));
        BoardProfile p = BoardProfiles.load(profile(frames, "micro", model).toString());
        assertThatThrownBy(() -> ModelRunner.open(p.name(), p.models().get(0)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.reason()).isEqualTo(AgentException.Reason.MODEL))
                .hasMessageContaining("engine 'micro' cannot run future.tflite")
                .hasMessageContaining("operator #0 FULLY_CONNECTED v99")
                .hasMessageContaining("operator #1 FULLY_CONNECTED v99");
    }
}
