package dev.fieldline.inference.tflite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The two native engines on linux-x86_64, and what they say where they cannot run. */
@EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "x86_64"})
class NativeEnginesTest {

    static Stream<InferenceEngine> nativeEngines() {
        return Stream.of(Engines.require(TfliteJniEngine.NAME), Engines.require(JavacppTfliteEngine.NAME));
    }

    @Test
    void bothAreFoundAndNameTheirRuntime() {
        assertThat(Engines.require("tflite").description()).contains("TensorFlow Lite 2.6.2", "XNNPACK off");
        assertThat(Engines.require("tflite-javacpp").description()).contains("TensorFlow Lite 2.20", "XNNPACK off");
        assertThat(TfliteJni.runtime().version()).isEqualTo("2.6.2");
        assertThat(JavacppTflite.runtime().version()).startsWith("2.20");
    }

    @Test
    void offTheirPlatformTheyNameItAndTheArtifact() {
        assertThat(TfliteJni.load(NativePlatform.of("Linux", "aarch64")).reason()).isEqualTo(
                "no TensorFlow Lite 2.6.2 JNI library for linux-aarch64 in ai.djl.tflite:tflite-native-cpu"
                        + " (it has linux-x86_64 and osx-x86_64 only)");
        assertThat(JavacppTflite.load(NativePlatform.of("Windows 11", "amd64")).reason())
                .startsWith("no TensorFlow Lite 2.20 native library for windows-x86_64");
    }

    @Test
    void requiringAnEngineThatCannotRunHereNamesTheAlternatives() throws Exception {
        String out = runProbe("riscv64", "tflite");
        assertThat(out).contains("engine tflite available=false reason=no TensorFlow Lite 2.6.2 JNI library for"
                + " linux-riscv64 in ai.djl.tflite:tflite-native-cpu");
        assertThat(out).contains("engine tflite-javacpp available=false reason=no TensorFlow Lite 2.20 native library"
                + " for linux-riscv64");
        assertThat(out).contains("refused: inference engine 'tflite' cannot run on this machine: no TensorFlow Lite"
                + " 2.6.2 JNI library for linux-riscv64")
                .contains("; available here: micro");
    }

    @ParameterizedTest
    @MethodSource("nativeEngines")
    void theOriginalPersonDetectorIsRefusedWithTensorFlowLitesReason(InferenceEngine engine) throws IOException {
        Path models = SharedData.require("models");
        TfliteModel original = TfliteModel.read(models.resolve("person_detect.tflite"));
        List<String> problems = engine.check(original);
        assertThat(problems).isNotEmpty();
        assertThat(problems.get(0)).contains("quantized_dimension must be in range [0, 1). Was 3.");
        assertThatThrownBy(() -> engine.open(original, EngineOptions.DEFAULT)).isInstanceOf(ModelException.class)
                .hasMessageContaining("refuses the model");
        assertThat(engine.check(TfliteModel.read(models.resolve("person_detect_qdimfix.tflite")))).isEmpty();
    }

    @Test
    void javacppNamesTheTensorTensorFlowLiteRefuses() throws IOException {
        TfliteModel original = TfliteModel.read(SharedData.require("models").resolve("person_detect.tflite"));
        List<String> problems = Engines.require("tflite-javacpp").check(original);
        assertThat(problems).hasSize(14);
        assertThat(problems.get(0)).startsWith("tensor 33 ");
    }

    @ParameterizedTest
    @MethodSource("nativeEngines")
    void aModelFromOurWriterLoadsAndComputesOnNativeTensorFlowLite(InferenceEngine engine) {
        // y = relu(W x + b) with W = [[1, 2], [-3, 4], [0.5, 0]], b = [0.25, 0, -1]
        TfliteModelBuilder b = new TfliteModelBuilder().description("writer smoke test")
                .metadata("note", "written by Fieldline".getBytes(StandardCharsets.UTF_8));
        int x = b.addTensor("x", TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        int w = b.addConstantFloat("w", new int[] {3, 2}, new float[] {1, 2, -3, 4, 0.5f, 0});
        int bias = b.addConstantFloat("b", new int[] {3}, new float[] {0.25f, 0, -1});
        int y = b.addTensor("y", TensorType.FLOAT32, new int[] {1, 3}, Quantization.NONE);
        b.addOperator(BuiltinOperator.FULLY_CONNECTED, 1, new int[] {x, w, bias}, new int[] {y},
                new BuiltinOptions.FullyConnected(Activation.RELU, false, false));
        TfliteModel model = b.inputs(x).outputs(y).buildModel();
        assertThat(engine.check(model)).isEmpty();
        try (InferenceSession s = engine.open(model, EngineOptions.DEFAULT)) {
            s.input(0).putFloat(3f).putFloat(-1f);
            s.invoke();
            ByteBuffer out = s.output(0);
            assertThat(new float[] {out.getFloat(0), out.getFloat(4), out.getFloat(8)}).containsExactly(1.25f, 0f, 0.5f);
            assertThat(out.limit()).isEqualTo(12);
        }
    }

    @ParameterizedTest
    @MethodSource("nativeEngines")
    void resetVariableTensorsRestoresTheStartingState(InferenceEngine engine) {
        TfliteModel model = StatefulModel.floatSvdf();
        try (InferenceSession s = engine.open(model, EngineOptions.DEFAULT)) {
            float[] first = StatefulModel.step(s);
            float[] second = StatefulModel.step(s);
            assertThat(second).as("state carried from the first step").isNotEqualTo(first);
            s.resetVariableTensors();
            assertThat(StatefulModel.step(s)).isEqualTo(first);
        }
    }

    @ParameterizedTest
    @MethodSource("nativeEngines")
    void invokeAllocatesNothingOnTheJavaSide(InferenceEngine engine) throws IOException {
        TfliteModel model = TfliteModel.read(SharedData.require("models").resolve("person_detect_qdimfix.tflite"));
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (InferenceSession s = engine.open(model, EngineOptions.DEFAULT)) {
            for (int i = 0; i < 20; i++) {
                s.input(0).put(0, (byte) i);
                s.invoke();
            }
            long tid = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 50; i++) {
                s.input(0).put(0, (byte) i);
                s.invoke();
                s.output(0).get(0);
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            assertThat(allocated).as("bytes allocated by 50 invocations on %s", engine.name()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("nativeEngines")
    void aClosedSessionRefusesToRun(InferenceEngine engine) throws IOException {
        TfliteModel model = TfliteModel.read(SharedData.require("models").resolve("hello_world_int8.tflite"));
        InferenceSession s = engine.open(model, EngineOptions.DEFAULT);
        s.invoke();
        s.close();
        s.close();
        assertThatThrownBy(s::invoke).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(s.output(0).limit()).as("outputs stay readable: session-owned memory").isEqualTo(1);
    }

    private static String runProbe(String arch, String engine) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dos.arch=" + arch,
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                EngineProbe.class.getName(), engine).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
