package dev.fieldline.tflite.micro.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.TestVectors;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SVDF stack of {@code keyword_scrambled} (seven full-integer SVDF v3 with int16 state) on the
 * interpreter: tensor 47, the last SVDF's output, against the golden file along the stateful
 * sequence, and what the state does: the sequence depends on it, a reset clears it, and the kernels
 * keep nothing of their own (a second run after a reset repeats the first exactly).
 */
class KeywordSvdfStateTest {

    private static final int PROBE = 47;
    private static final int[] STATE_TENSORS = {4, 12, 20, 28, 36, 41, 46};

    private static TfliteModel model;
    private static List<TestVectors.Vector> sequence;

    @BeforeAll
    static void load() throws IOException {
        Path dir = SharedData.require("models");
        model = TfliteModel.read(dir.resolve("keyword_scrambled.tflite"));
        sequence = TestVectors.read(dir.resolve("golden/keyword_scrambled.golden.json")).vectors().stream()
                .filter(v -> v.id().startsWith("seq_step")).toList();
        assertThat(sequence).hasSize(5);
    }

    private static byte[] probe(MicroInterpreter session) {
        return session.tensorBytes(PROBE);
    }

    private static byte[] expected(TestVectors.Vector v) {
        long[] ints = v.probe().orElseThrow().values().ints();
        byte[] out = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            out[i] = (byte) ints[i];
        }
        return out;
    }

    @Test
    void sequenceMatchesTheGoldenIntermediateTensorStepByStepTwice() {
        try (MicroInterpreter session = MicroInterpreter.create(model, new EngineOptions(1, true))) {
            for (int round = 0; round < 2; round++) {
                for (TestVectors.Vector v : sequence) {
                    TestVectors.runOne(session, v);
                    assertThat(probe(session)).as("round %d %s", round, v.id()).containsExactly(expected(v));
                }
            }
        }
    }

    @Test
    void laterStepsDependOnTheStateAndAResetClearsIt() {
        try (MicroInterpreter session = MicroInterpreter.create(model, new EngineOptions(1, true))) {
            TestVectors.runOne(session, sequence.get(0));
            for (int t : STATE_TENSORS) {
                assertThat(isZero(session.tensorBytes(t))).as("state tensor %d after a step", t).isFalse();
            }
            session.resetVariableTensors();
            for (int t : STATE_TENSORS) {
                assertThat(isZero(session.tensorBytes(t))).as("state tensor %d after a reset", t).isTrue();
            }
            // the inputs of step 4 from a fresh state give another result than after steps 0 to 3
            TestVectors.Vector last = sequence.get(4);
            TestVectors.runOne(session, last);
            assertThat(probe(session)).isNotEqualTo(expected(last));
        }
    }

    private static boolean isZero(byte[] b) {
        return Arrays.equals(b, new byte[b.length]);
    }
}
