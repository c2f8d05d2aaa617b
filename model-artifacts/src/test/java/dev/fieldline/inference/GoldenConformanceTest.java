package dev.fieldline.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * Every model in {@code shared/models} on every engine available here against the golden outputs of
 * native TensorFlow Lite, within the tolerance the golden file states; argmax always equal; the
 * stateful keyword model step by step with its recorded intermediate tensor (on the interpreter,
 * which can read intermediates). Modules that add engines subclass this test to run it with them.
 */
@Tag("conformance")
public class GoldenConformanceTest {

    /** Models and the golden file each uses. */
    private static final String[][] MODELS = {
        {"hello_world_float.tflite", "hello_world_float"},
        {"hello_world_int8.tflite", "hello_world_int8"},
        {"person_detect.tflite", "person_detect"},
        {"person_detect_qdimfix.tflite", "person_detect"},
        {"keyword_scrambled.tflite", "keyword_scrambled"},
    };

    @TestFactory
    Stream<DynamicTest> goldenOutputs() throws IOException {
        Path dir = SharedData.require("models");
        List<DynamicTest> tests = new ArrayList<>();
        for (InferenceEngine engine : Engines.available()) {
            for (String[] m : MODELS) {
                Path model = dir.resolve(m[0]);
                Path golden = dir.resolve("golden").resolve(m[1] + ".golden.json");
                tests.add(DynamicTest.dynamicTest(engine.name() + " " + m[0], () -> check(engine, model, golden)));
            }
        }
        return tests.stream();
    }

    private void check(InferenceEngine engine, Path modelFile, Path goldenFile) throws IOException {
        TfliteModel model = TfliteModel.read(modelFile);
        List<String> problems = engine.check(model);
        if (!problems.isEmpty()) {
            assertThat(nativeRefusesOriginalPersonDetect(engine, modelFile))
                    .as("%s refuses %s: %s", engine.name(), modelFile.getFileName(), problems).isTrue();
            return;
        }
        TestVectors.File golden = TestVectors.read(goldenFile);
        Tolerance tol = Tolerance.parse(golden.toleranceHint());
        boolean probes = engine.name().equals(MicroInterpreter.ENGINE);
        try (InferenceSession session = engine.open(model, new EngineOptions(1, probes))) {
            for (TestVectors.Vector v : golden.vectors()) {
                List<TensorData> actual = TestVectors.runOne(session, v);
                assertThat(v.expected()).as("golden outputs of %s", v.id()).isNotEmpty();
                for (TensorData want : v.expected()) {
                    TensorData got = actual.get(want.index());
                    tol.assertClose(want, got, engine.name() + " " + modelFile.getFileName() + " " + v.id()
                            + " output " + want.index());
                    assertThat(argmax(got)).as("argmax of %s output %d", v.id(), want.index()).isEqualTo(argmax(want));
                }
                if (probes && v.probe().isPresent()) {
                    TestVectors.Probe p = v.probe().get();
                    byte[] raw = ((MicroInterpreter) session).tensorBytes(p.tensorIndex());
                    TensorSpec spec = TensorSpec.of(model.tensor(p.tensorIndex()));
                    TensorData got = TensorData.read(p.tensorIndex(), spec,
                            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN));
                    Tolerance.EXACT.assertClose(p.values(), got, modelFile.getFileName() + " " + v.id()
                            + " intermediate tensor " + p.tensorIndex());
                }
            }
        }
    }

    /**
     * Native TensorFlow Lite refuses the original person_detect file (its 1-D bias tensors have an
     * out-of-range quantized_dimension; see shared/models/README.md); the interpreter must not.
     */
    private static boolean nativeRefusesOriginalPersonDetect(InferenceEngine engine, Path model) {
        return !engine.name().equals(MicroInterpreter.ENGINE)
                && model.getFileName().toString().equals("person_detect.tflite");
    }

    static int argmax(TensorData t) {
        int best = 0;
        for (int i = 1; i < t.length(); i++) {
            double a = t.isFloat() ? t.floats()[i] : t.ints()[i];
            double b = t.isFloat() ? t.floats()[best] : t.ints()[best];
            if (a > b) {
                best = i;
            }
        }
        return best;
    }

    /** A golden file's tolerance: exact, an absolute float difference, or raw integer steps (LSB). */
    record Tolerance(double abs) {
        static final Tolerance EXACT = new Tolerance(0);
        private static final Pattern ABS = Pattern.compile("abs tol ([0-9]*\\.?[0-9]+(?:[eE][+-]?[0-9]+)?)");
        private static final Pattern LSB = Pattern.compile("tolerance \\+/-\\s*([0-9]+)");

        static Tolerance parse(String hint) {
            Matcher m = ABS.matcher(hint);
            if (m.find()) {
                return new Tolerance(Double.parseDouble(m.group(1)));
            }
            m = LSB.matcher(hint);
            if (m.find()) {
                return new Tolerance(Integer.parseInt(m.group(1)));
            }
            assertThat(hint).as("tolerance hint").containsIgnoringCase("exact");
            return EXACT;
        }

        void assertClose(TensorData want, TensorData got, String what) {
            assertThat(got.type()).as(what + " dtype").isEqualTo(want.type());
            assertThat(got.shape()).as(what + " shape").isEqualTo(want.shape());
            assertThat(got.length()).as(what + " length").isEqualTo(want.length());
            for (int i = 0; i < want.length(); i++) {
                double w = want.isFloat() ? want.floats()[i] : want.ints()[i];
                double g = got.isFloat() ? got.floats()[i] : got.ints()[i];
                assertThat(Math.abs(w - g)).as("%s [%d]: want %s got %s (tolerance %s)", what, i, w, g, abs)
                        .isLessThanOrEqualTo(abs);
            }
        }
    }
}
