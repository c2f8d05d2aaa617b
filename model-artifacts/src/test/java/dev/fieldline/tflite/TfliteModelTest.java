package dev.fieldline.tflite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.tflite.internal.FlatTable;
import dev.fieldline.tflite.micro.ArenaPlan;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The flatbuffer reader on real models and on damaged copies of them. */
class TfliteModelTest {

    private static byte[] shared(String name) throws IOException {
        return Files.readAllBytes(SharedData.require("models").resolve(name));
    }

    @Test
    void readsThePersonDetectorAsTheReadmeDescribesIt() throws IOException {
        TfliteModel m = TfliteModel.parse(shared("person_detect.tflite"));
        assertThat(m.schemaVersion()).isEqualTo(3);
        assertThat(m.subgraphCount()).isEqualTo(1);
        TensorInfo in = m.input(0);
        assertThat(in.name()).isEqualTo("input");
        assertThat(in.type()).isEqualTo(TensorType.INT8);
        assertThat(in.shape()).containsExactly(1, 96, 96, 1);
        assertThat(in.quantization().scale(0)).isEqualTo(0.007843138f);
        assertThat(in.quantization().zeroPoint(0)).isEqualTo(-1);
        TensorInfo out = m.output(0);
        assertThat(out.name()).isEqualTo("MobilenetV1/Predictions/Reshape_1");
        assertThat(out.shape()).containsExactly(1, 2);
        assertThat(out.quantization().scale(0)).isEqualTo(0.00390625f);
        assertThat(out.quantization().zeroPoint(0)).isEqualTo(-128);
        assertThat(m.operators().stream().filter(o -> o.builtinCode() == BuiltinOperator.CONV_2D).count()).isEqualTo(14);
        assertThat(m.operators().stream().filter(o -> o.builtinCode() == BuiltinOperator.DEPTHWISE_CONV_2D)
                .allMatch(o -> o.version() == 3)).isTrue();
        assertThat(m.sha256()).isEqualTo("808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d");
    }

    @Test
    void acceptsOneDimensionalBiasWithOutOfRangeQuantizedDimensionAsTfliteMicroDoes() throws IOException {
        TfliteModel original = TfliteModel.parse(shared("person_detect.tflite"));
        TfliteModel fixed = TfliteModel.parse(shared("person_detect_qdimfix.tflite"));
        TensorInfo bias = original.tensor(33);
        assertThat(bias.type()).isEqualTo(TensorType.INT32);
        assertThat(bias.rank()).isEqualTo(1);
        assertThat(bias.quantization().isPerChannel()).isTrue();
        assertThat(bias.quantization().quantizedDimension()).isZero();
        assertThat(original.tensors()).isEqualTo(fixed.tensors());
    }

    @Test
    void readsOldModelsThatOnlyHaveTheDeprecatedOperatorCode() throws IOException {
        // hello_world_float predates builtin_code: its operator codes only carry the deprecated byte
        TfliteModel m = TfliteModel.parse(shared("hello_world_float.tflite"));
        assertThat(m.operators()).extracting(OperatorInfo::name).containsOnly("FULLY_CONNECTED");
    }

    @Test
    void refusesFilesThatAreNotTflite() {
        assertThatThrownBy(() -> TfliteModel.parse(new byte[3])).isInstanceOf(ModelException.class)
                .hasMessageContaining("not a TFLite model");
        byte[] json = "{\"vectors\": []}".getBytes();
        assertThatThrownBy(() -> TfliteModel.parse(json)).isInstanceOf(ModelException.class)
                .hasMessageContaining("TFL3");
    }

    @Test
    void refusesModelsOverTheSizeLimit() throws IOException {
        byte[] b = shared("hello_world_int8.tflite");
        assertThatThrownBy(() -> TfliteModel.parse(b, 1000)).isInstanceOf(ModelException.class)
                .extracting(e -> ((ModelException) e).reason()).isEqualTo(ModelException.Reason.TOO_LARGE);
    }

    @Test
    void refusesAnotherSchemaVersion() throws IOException {
        byte[] b = shared("hello_world_int8.tflite");
        FlatTable root = FlatTable.root(b, "model");
        int versionPos = fieldPosition(b, 0);
        assertThat(root.getInt(0, -1)).isEqualTo(3);
        b[versionPos] = 4;
        assertThatThrownBy(() -> TfliteModel.parse(b)).isInstanceOf(ModelException.class)
                .hasMessageContaining("schema version 4");
    }

    @Test
    void everyTruncationIsRefusedWithAModelException() throws IOException {
        byte[] b = shared("hello_world_int8.tflite");
        for (int len = 0; len < b.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(b, len);
            try {
                // a prefix can only parse if nothing it refers to was cut off; then it must load or refuse cleanly
                loadAndInvoke(TfliteModel.parse(cut));
            } catch (ModelException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void randomCorruptionOnlyEverRaisesModelException() throws IOException {
        Random random = new Random(42);
        for (String name : List.of("hello_world_int8.tflite", "hello_world_float.tflite", "keyword_scrambled.tflite")) {
            byte[] original = shared(name);
            for (int round = 0; round < 400; round++) {
                byte[] b = original.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                try {
                    loadAndInvoke(TfliteModel.parse(b));
                } catch (ModelException expected) {
                    assertThat(expected.reason()).isNotNull();
                }
            }
        }
    }

    @Test
    void theArenaPlanNeverLetsTwoLiveTensorsOverlap() throws IOException {
        for (String name : List.of("person_detect.tflite", "keyword_scrambled.tflite", "hello_world_float.tflite")) {
            TfliteModel m = TfliteModel.parse(shared(name));
            ArenaPlan plan = ArenaPlan.plan(m, false);
            int n = m.tensors().size();
            int[] first = new int[n];
            int[] last = new int[n];
            java.util.Arrays.fill(first, Integer.MAX_VALUE);
            java.util.Arrays.fill(last, -1);
            for (int t : m.inputs()) {
                first[t] = -1;
                last[t] = m.operators().size();
            }
            for (OperatorInfo op : m.operators()) {
                for (int t : op.inputs()) {
                    if (t >= 0) {
                        first[t] = Math.min(first[t], op.index());
                        last[t] = Math.max(last[t], op.index());
                    }
                }
                for (int t : op.outputs()) {
                    first[t] = Math.min(first[t], op.index());
                    last[t] = Math.max(last[t], op.index());
                }
            }
            for (int t : m.outputs()) {
                last[t] = m.operators().size();
            }
            for (int a = 0; a < n; a++) {
                for (int b = a + 1; b < n; b++) {
                    if (plan.offset(a) < 0 || plan.offset(b) < 0) {
                        continue;
                    }
                    boolean together = first[a] <= last[b] && first[b] <= last[a];
                    int aEnd = plan.offset(a) + m.tensor(a).byteSize();
                    int bEnd = plan.offset(b) + m.tensor(b).byteSize();
                    boolean overlap = plan.offset(a) < bEnd && plan.offset(b) < aEnd;
                    assertThat(together && overlap).as("%s: tensors %d and %d share memory while both live", name, a, b)
                            .isFalse();
                }
            }
            assertThat(plan.totalBytes()).isLessThanOrEqualTo(ArenaPlan.plan(m, true).totalBytes());
        }
    }

    /** A model that loads must also run: damage must be caught at load time, never during invoke. */
    private static void loadAndInvoke(TfliteModel m) {
        if (MicroInterpreter.check(m).isEmpty()) {
            try (MicroInterpreter interpreter = MicroInterpreter.create(m)) {
                interpreter.invoke();
            }
        }
    }

    /** Position of a root-table field (schema field id) in the file. */
    private static int fieldPosition(byte[] b, int field) {
        int root = FlatTable.readInt(b, 0);
        int vtable = root - FlatTable.readInt(b, root);
        int off = (b[vtable + 4 + 2 * field] & 0xff) | (b[vtable + 5 + 2 * field] & 0xff) << 8;
        return root + off;
    }

}
