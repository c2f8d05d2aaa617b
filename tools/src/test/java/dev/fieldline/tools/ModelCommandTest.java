package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fieldline model inspect} and {@code fieldline model run} as scripts would use them. */
class ModelCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void inspectPrintsTensorsOperatorsArenaAndEngines() {
        Path model = SharedData.require("models").resolve("person_detect.tflite");
        CliTest.Run r = CliTest.run("model", "inspect", model.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("sha256 808cfdfc0cf3a6fa6f6fa26bfa379ea97c16d5db7334637766e39c3408502e9d",
                "input", "int8[1, 96, 96, 1]", "scale=0.007843138 zero_point=-1",
                "MobilenetV1/Predictions/Reshape_1", "CONV_2D v2 x14", "DEPTHWISE_CONV_2D v3 x14", "arena",
                "micro           supported");
    }

    @Test
    void runWritesRawOutputsInTheDocumentedFormatMatchingTheGolden() throws IOException {
        Path models = SharedData.require("models");
        Path out = dir.resolve("out.json");
        CliTest.Run r = CliTest.run("model", "run", models.resolve("hello_world_int8.tflite").toString(),
                "--vectors", models.resolve("golden/hello_world_int8.golden.json").toString(),
                "--engine", "micro", "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode result = JSON.readTree(out.toFile());
        JsonNode golden = JSON.readTree(models.resolve("golden/hello_world_int8.golden.json").toFile());
        assertThat(result.get("engine").asText()).isEqualTo("micro");
        assertThat(result.get("vectors")).hasSize(golden.get("vectors").size());
        for (int i = 0; i < golden.get("vectors").size(); i++) {
            JsonNode want = golden.get("vectors").get(i);
            JsonNode got = result.get("vectors").get(i);
            assertThat(got.get("id").asText()).isEqualTo(want.get("id").asText());
            JsonNode o = got.get("outputs").get(0);
            assertThat(o.get("index").asInt()).isZero();
            assertThat(o.get("dtype").asText()).isEqualTo("int8");
            assertThat(o.get("shape").toString()).isEqualTo("[1,1]");
            assertThat(o.get("data")).isEqualTo(want.get("outputs").get(0).get("data"));
        }
    }

    @Test
    void runToStandardOutputByDefault() {
        Path models = SharedData.require("models");
        CliTest.Run r = CliTest.run("model", "run", models.resolve("hello_world_float.tflite").toString(),
                "--vectors", models.resolve("golden/hello_world_float.golden.json").toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("{\"engine\":\"micro\",\"vectors\":[{\"id\":\"zeros\",\"outputs\":[{\"index\":0,");
    }

    @Test
    void anUnknownEngineNamesTheAvailableOnes() {
        Path models = SharedData.require("models");
        CliTest.Run r = CliTest.run("model", "run", models.resolve("hello_world_float.tflite").toString(),
                "--vectors", models.resolve("golden/hello_world_float.golden.json").toString(), "--engine", "onnx");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("inference engine 'onnx' is not in this build", "available here: micro");
    }

    @Test
    void aDamagedModelIsRefusedWithAClearMessage() throws IOException {
        Path bad = dir.resolve("bad.tflite");
        byte[] b = Files.readAllBytes(SharedData.require("models").resolve("hello_world_int8.tflite"));
        Files.write(bad, java.util.Arrays.copyOf(b, b.length / 2));
        CliTest.Run r = CliTest.run("model", "inspect", bad.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.tflite: ").contains("past the end of the file");
    }

    @Test
    void vectorsThatDoNotFitTheModelAreRefusedNamingTheVector() throws IOException {
        Path models = SharedData.require("models");
        Path vectors = dir.resolve("v.json");
        Files.writeString(vectors, "{\"vectors\": [{\"id\": \"short\", \"inputs\": [{\"index\": 0, \"dtype\": \"int8\", "
                + "\"shape\": [1, 2], \"data\": [1, 2]}]}]}");
        CliTest.Run r = CliTest.run("model", "run", models.resolve("hello_world_int8.tflite").toString(),
                "--vectors", vectors.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("short: input 0: 2 values but the model expects 1");
    }
}
