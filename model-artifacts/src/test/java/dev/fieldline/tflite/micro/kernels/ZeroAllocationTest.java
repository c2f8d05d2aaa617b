package dev.fieldline.tflite.micro.kernels;

import static dev.fieldline.tflite.micro.kernels.SingleOp.q;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.Padding;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code invoke()} allocates nothing once warmed up: every shared model the micro engine runs, and a
 * one-operator model for each kernel variant of the layer operators. Allocation is this thread's
 * allocated bytes ({@code ThreadMXBean.getThreadAllocatedBytes}) around 50 invocations, against the
 * same measurement around an empty loop.
 */
class ZeroAllocationTest {

    private static final int WARM_UP = 20;
    private static final int MEASURED = 50;
    private static final String[] SHARED = {
        "hello_world_float.tflite", "hello_world_int8.tflite", "person_detect.tflite",
        "person_detect_qdimfix.tflite", "keyword_scrambled.tflite",
    };

    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TestFactory
    Stream<DynamicTest> sharedModels() throws IOException {
        Path dir = SharedData.require("models");
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : SHARED) {
            Path file = dir.resolve(name);
            tests.add(DynamicTest.dynamicTest(name, () -> {
                TfliteModel model = TfliteModel.read(file);
                List<String> problems = MicroInterpreter.check(model);
                Assumptions.assumeTrue(problems.isEmpty(), () -> "micro cannot run " + name + " yet: " + problems);
                assertNoAllocation(model);
            }));
            assertThat(Files.exists(file)).as(file.toString()).isTrue();
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyLayerKernel() {
        return layerModels().entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> assertNoAllocation(e.getValue().get())));
    }

    @TestFactory
    Stream<DynamicTest> everyElementwiseKernel() {
        return ElementwiseModels.all().entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> assertNoAllocation(e.getValue().get())));
    }

    private void assertNoAllocation(TfliteModel model) {
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        long id = Thread.currentThread().getId();
        try (MicroInterpreter session = MicroInterpreter.create(model)) {
            Random random = new Random(7);
            for (int i = 0; i < session.inputs().size(); i++) {
                ByteBuffer in = session.input(i);
                byte[] bytes = new byte[in.remaining()];
                random.nextBytes(bytes);
                if (session.inputs().get(i).type() == TensorType.FLOAT32) {
                    for (int k = 0; k + 3 < bytes.length; k += 4) {
                        bytes[k + 3] = (byte) (bytes[k + 3] & 0xbf); // finite values
                    }
                }
                in.put(bytes);
            }
            for (int i = 0; i < WARM_UP; i++) {
                session.invoke();
            }
            long baseline = Long.MAX_VALUE;
            long used = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long a = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < MEASURED; i++) {
                    spin(i);
                }
                long b = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < MEASURED; i++) {
                    session.invoke();
                }
                long c = threads.getThreadAllocatedBytes(id);
                baseline = Math.min(baseline, b - a);
                used = Math.min(used, c - b);
            }
            assertThat(used).as("bytes allocated by %d invocations (an empty loop measures %d)", MEASURED, baseline)
                    .isLessThanOrEqualTo(baseline);
        }
    }

    private static int sink;

    private static void spin(int i) {
        sink += i;
    }

    private static final Random WEIGHTS = new Random(11);

    private static int[] int8Values(int n) {
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            v[i] = WEIGHTS.nextInt(256) - 128;
        }
        return v;
    }

    private static float[] floatValues(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = WEIGHTS.nextFloat() - 0.5f;
        }
        return v;
    }

    private static Map<String, Supplier<TfliteModel>> layerModels() {
        Map<String, Supplier<TfliteModel>> m = new LinkedHashMap<>();
        m.put("FULLY_CONNECTED float32", () -> fc(TensorType.FLOAT32, null));
        m.put("FULLY_CONNECTED int8", () -> fc(TensorType.INT8, TensorType.INT32));
        m.put("FULLY_CONNECTED int16 int64 bias", () -> fc(TensorType.INT16, TensorType.INT64));
        m.put("FULLY_CONNECTED int16 int32 bias", () -> fc(TensorType.INT16, TensorType.INT32));
        m.put("CONV_2D float32 3x3", () -> conv(TensorType.FLOAT32, null, 3, 2));
        m.put("CONV_2D int8 3x3 stride 2", () -> conv(TensorType.INT8, TensorType.INT32, 3, 2));
        m.put("CONV_2D int8 1x1", () -> conv(TensorType.INT8, TensorType.INT32, 1, 1));
        m.put("CONV_2D int16 int64 bias", () -> conv(TensorType.INT16, TensorType.INT64, 3, 1));
        m.put("CONV_2D int16 int32 bias", () -> conv(TensorType.INT16, TensorType.INT32, 3, 1));
        m.put("DEPTHWISE_CONV_2D float32", () -> depthwise(TensorType.FLOAT32, 2));
        m.put("DEPTHWISE_CONV_2D int8", () -> depthwise(TensorType.INT8, 1));
        m.put("DEPTHWISE_CONV_2D int8 multiplier 3", () -> depthwise(TensorType.INT8, 3));
        m.put("DEPTHWISE_CONV_2D int16", () -> depthwise(TensorType.INT16, 2));
        for (TensorType t : new TensorType[] {TensorType.FLOAT32, TensorType.INT8, TensorType.INT16}) {
            m.put("AVERAGE_POOL_2D " + t.dtype(), () -> pool(BuiltinOperator.AVERAGE_POOL_2D, t));
            m.put("MAX_POOL_2D " + t.dtype(), () -> pool(BuiltinOperator.MAX_POOL_2D, t));
        }
        m.put("RESHAPE", ZeroAllocationTest::reshape);
        m.put("SOFTMAX float32", () -> softmax(TensorType.FLOAT32, TensorType.FLOAT32));
        m.put("SOFTMAX int8 to int8", () -> softmax(TensorType.INT8, TensorType.INT8));
        m.put("SOFTMAX int8 to int16", () -> softmax(TensorType.INT8, TensorType.INT16));
        m.put("SOFTMAX int16", () -> softmax(TensorType.INT16, TensorType.INT16));
        return m;
    }

    private static Quantization activation(TensorType t) {
        return switch (t) {
            case FLOAT32 -> Quantization.NONE;
            case INT16 -> q(1.0 / 4096, 0);
            default -> q(0.05, -3);
        };
    }

    private static int bias(SingleOp t, TensorType type, int n) {
        if (type == null) {
            return t.builder().addConstantFloat("bias", new int[] {n}, floatValues(n));
        }
        int[] v = int8Values(n);
        if (type == TensorType.INT64) {
            long[] l = new long[n];
            for (int i = 0; i < n; i++) {
                l[i] = v[i];
            }
            return t.int64(Quantization.NONE, l);
        }
        return t.int32(Quantization.NONE, v);
    }

    private static TfliteModel fc(TensorType type, TensorType biasType) {
        SingleOp t = new SingleOp();
        int in = t.input(type, new int[] {2, 24}, activation(type));
        int w = type == TensorType.FLOAT32 ? t.floats(new int[] {10, 24}, floatValues(240))
                : t.int8(new int[] {10, 24}, q(0.01, 0), int8Values(240));
        int b = biasType == null && type != TensorType.FLOAT32 ? -1 : bias(t, biasType, 10);
        t.output(type, new int[] {2, 10}, activation(type));
        int version = type == TensorType.INT16 ? 7 : 6;
        t.op(BuiltinOperator.FULLY_CONNECTED, version, new BuiltinOptions.FullyConnected(Activation.RELU, false, false),
                in, w, b);
        return t.model();
    }

    private static TfliteModel conv(TensorType type, TensorType biasType, int kernel, int stride) {
        SingleOp t = new SingleOp();
        int in = t.input(type, new int[] {1, 9, 8, 3}, activation(type));
        int n = 4 * kernel * kernel * 3;
        int[] fs = {4, kernel, kernel, 3};
        int w = type == TensorType.FLOAT32 ? t.floats(fs, floatValues(n))
                : t.int8(fs, SingleOp.perChannel(0, 0.01, 0.02, 0.03, 0.04), int8Values(n));
        int b = bias(t, biasType, 4);
        t.output(type, new int[] {1, (9 + stride - 1) / stride, (8 + stride - 1) / stride, 4}, activation(type));
        t.op(BuiltinOperator.CONV_2D, 4, new BuiltinOptions.Conv2D(Padding.SAME, stride, stride, Activation.RELU6, 1, 1),
                in, w, b);
        return t.model();
    }

    private static TfliteModel depthwise(TensorType type, int multiplier) {
        SingleOp t = new SingleOp();
        int in = t.input(type, new int[] {1, 7, 6, 2}, activation(type));
        int c = 2 * multiplier;
        int[] fs = {1, 3, 3, c};
        int w = type == TensorType.FLOAT32 ? t.floats(fs, floatValues(9 * c)) : t.int8(fs, q(0.02, 0), int8Values(9 * c));
        int b = bias(t, type == TensorType.FLOAT32 ? null : type == TensorType.INT16 ? TensorType.INT64 : TensorType.INT32,
                c);
        t.output(type, new int[] {1, 4, 6, c}, activation(type));
        t.op(BuiltinOperator.DEPTHWISE_CONV_2D, 5,
                new BuiltinOptions.DepthwiseConv2D(Padding.SAME, 1, 2, multiplier, Activation.NONE, 2, 1), in, w, b);
        return t.model();
    }

    private static TfliteModel pool(int code, TensorType type) {
        SingleOp t = new SingleOp();
        int in = t.input(type, new int[] {1, 7, 6, 3}, activation(type));
        t.output(type, new int[] {1, 4, 3, 3}, activation(type));
        t.op(code, 3, new BuiltinOptions.Pool2D(Padding.SAME, 2, 2, 3, 3, Activation.RELU), in);
        return t.model();
    }

    private static TfliteModel reshape() {
        SingleOp t = new SingleOp();
        int in = t.input(TensorType.INT8, new int[] {1, 2, 3, 4}, q(1, 0));
        t.output(TensorType.INT8, new int[] {6, 4}, q(1, 0));
        t.op(BuiltinOperator.RESHAPE, 1, new BuiltinOptions.Reshape(Optional.of(new int[] {-1, 4})), in);
        return t.model();
    }

    private static TfliteModel softmax(TensorType in, TensorType out) {
        SingleOp t = new SingleOp();
        int input = t.input(in, new int[] {3, 10}, activation(in));
        Quantization qo = switch (out) {
            case FLOAT32 -> Quantization.NONE;
            case INT8 -> q(1.0 / 256, -128);
            default -> in == TensorType.INT8 ? q(1.0 / 65536, -32768) : q(1.0 / 32768, 0);
        };
        t.output(out, new int[] {3, 10}, qo);
        t.op(BuiltinOperator.SOFTMAX, 3, new BuiltinOptions.Softmax(1f), input);
        return t.model();
    }
}
