package dev.fieldline.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ModelManifestTest {

    static ModelManifest sample() {
        ModelManifest.Tensor in = new ModelManifest.Tensor(0, "input", "int8", List.of(1, 32), OptionalDouble.of(0.0627451f),
                Optional.of(-1L), "window");
        ModelManifest.Tensor out = new ModelManifest.Tensor(0, "output", "float32", List.of(1, 4), OptionalDouble.empty(),
                Optional.empty(), "logits");
        return new ModelManifest("sensor-anomaly", "1.0.0", "test", List.of("normal", "spike", "drift", "stuck"),
                new ModelManifest.Preprocessing("TMP36 temperature, Cel", 32, "PT1S", OptionalDouble.empty(), 0.5,
                        OptionalDouble.of(8)),
                List.of(new ModelManifest.FileEntry("a-int8.tflite", "int8", "ab".repeat(32), 1234, List.of(in), List.of(out), 0.97)),
                new ModelManifest.Evaluation(2000, "fresh", Map.of("normal", 500)),
                new ModelManifest.Provenance("fieldline model train-sensor --out DIR --seed 1", 1, Map.of("epochs", "30")));
    }

    @Test
    void roundTripsThroughJson() {
        ModelManifest m = sample();
        byte[] json = m.toJson();
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"offset\" : \"window-mean\"").contains("\"sha256\" : \"abab").endsWith("}\n");
        ModelManifest back = ModelManifest.parse(json);
        assertThat(back).isEqualTo(m);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(back.file("a-int8.tflite")).isPresent();
        assertThat(back.file("nope.tflite")).isEmpty();
    }

    @Test
    void refusesBrokenManifestsNamingTheField() {
        String json = new String(sample().toJson(), StandardCharsets.UTF_8).replace("\"window\" : 32", "\"window\" : \"x\"");
        assertThatThrownBy(() -> ModelManifest.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ModelManifest.ManifestException.class).hasMessageContaining("manifest.preprocessing.window");
        assertThatThrownBy(() -> ModelManifest.parse("{".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ModelManifest.ManifestException.class);
    }
}
