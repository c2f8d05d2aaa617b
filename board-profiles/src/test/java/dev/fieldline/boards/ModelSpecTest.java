package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecTest {

    private static final String HEAD = """
            name: mine
            platform: sim
            adc: {bits: 12, reference-voltage: 3.3}
            pins:
              0: {functions: [adc0.0]}
              3: {functions: [gpio]}
            sensors:
              temperature: {driver: tmp36, pin: 0}
              button: {driver: button, pin: 3}
            """;

    @Test
    void stockSimProfileRunsTheSensorModel() {
        BoardProfile sim = BoardProfiles.load("sim");
        assertThat(sim.models()).hasSize(1);
        ModelSpec m = sim.models().get(0);
        assertThat(m.name()).isEqualTo("sensor-anomaly");
        assertThat(m.source()).isEqualTo(new ModelSpec.Source.Stock("sensor-anomaly-int8"));
        assertThat(m.engine()).isEqualTo("micro");
        assertThat(m.input()).isEqualTo(new ModelSpec.Input.SensorWindow("temperature", OptionalInt.empty(), 1));
        assertThat(m.normalisation()).isEmpty();
        assertThat(m.labels()).isEmpty();
        assertThat(m.severities()).containsEntry("stuck", "critical");
    }

    @Test
    void fileAndFramesModelsResolveAgainstTheProfileDirectory(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("person.tflite"), new byte[] {1});
        Files.createDirectory(dir.resolve("frames"));
        Path f = dir.resolve("b.yaml");
        Files.writeString(f, HEAD + """
                models:
                  person:
                    file: person.tflite
                    engine: tflite
                    input: {frames: frames, interval: 250ms}
                    normalise: {offset: 127.5, scale: 127.5}
                    labels: [no_person, person]
                    threshold: 0.6
                  window:
                    file: person.tflite
                    input: {sensor: temperature, window: 16, every: 4}
                    normalise: {offset: window-mean, scale: 0.5, clip: 8}
                """);
        BoardProfile p = BoardProfiles.load(f.toString());
        assertThat(p.models()).extracting(ModelSpec::name).containsExactly("person", "window");
        ModelSpec person = p.models().get(0);
        assertThat(person.source()).isEqualTo(new ModelSpec.Source.File(dir.resolve("person.tflite")));
        assertThat(person.input()).isEqualTo(new ModelSpec.Input.Frames(dir.resolve("frames"), Duration.ofMillis(250)));
        assertThat(person.normalisation()).contains(new ModelSpec.Normalisation(OptionalDouble.of(127.5), 127.5, OptionalDouble.empty()));
        assertThat(person.labels()).containsExactly("no_person", "person");
        assertThat(person.threshold()).isEqualTo(0.6);
        assertThat(person.engine()).isEqualTo("tflite");
        ModelSpec window = p.models().get(1);
        assertThat(window.input()).isEqualTo(new ModelSpec.Input.SensorWindow("temperature", OptionalInt.of(16), 4));
        assertThat(window.normalisation()).contains(ModelSpec.Normalisation.windowMean(0.5, OptionalDouble.of(8)));
        assertThat(window.threshold()).isEqualTo(ModelSpec.DEFAULT_THRESHOLD);
        assertThat(window.manifest()).isEqualTo(Optional.empty());
        assertThat(window.severities()).isEqualTo(Map.of());
    }

    @Test
    void errorsNameFileLineAndKey(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("m.tflite"), new byte[] {1});
        record Case(String models, int line, String path, String message) {}
        List<Case> cases = List.of(
                new Case("  a: {input: {sensor: temperature}}", 11, "models.a", "give either 'file'"),
                new Case("  a: {file: m.tflite, stock: x, input: {sensor: temperature}}", 11, "models.a", "not both"),
                new Case("  a:\n    file: nope.tflite\n    input: {sensor: temperature}", 12, "models.a.file", "no such file"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: button}", 13, "models.a.input.sensor", "no numeric sensor 'button'"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature, frames: m.tflite}", 13, "models.a.input", "not both"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature, interval: 1s}", 13, "models.a.input.interval", "frames input"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature, window: 0}", 13, "models.a.input.window", "between 1 and 65536"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    threshold: 1.5", 14, "models.a.threshold", "between 0"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    labels: [x, x]", 14, "models.a.labels[1]", "listed twice"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    labels: [x]\n    severity: {y: warning}", 15,
                        "models.a.severity.y", "not one of the labels"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    severity: {y: loud}", 14,
                        "models.a.severity.y", "expected info, warning or critical"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    normalise: {scale: 0}", 14,
                        "models.a.normalise.scale", "must not be 0"),
                new Case("  a:\n    file: m.tflite\n    input: {sensor: temperature}\n    engine: Fancy!", 14,
                        "models.a.engine", "must be 1-32"),
                new Case("  a:\n    stock: ../x\n    input: {sensor: temperature}", 12, "models.a.stock", "stock model name"),
                new Case("  a:\n    file: m.tflite\n    inputs: {sensor: temperature}", 13, "models.a.inputs", "unknown key 'inputs'"));
        Path f = dir.resolve("b.yaml");
        for (Case c : cases) {
            Files.writeString(f, HEAD + "models:\n" + c.models() + "\n");
            assertThatThrownBy(() -> BoardProfiles.load(f.toString())).as(c.models())
                    .isInstanceOfSatisfying(ConfigException.class, e -> {
                        assertThat(e.source()).isEqualTo(f.toString());
                        assertThat(e.line()).as(c.models() + ": " + e.getMessage()).hasValue(c.line());
                        assertThat(e.path()).as(e.getMessage()).isEqualTo(c.path());
                    })
                    .hasMessageContaining(c.message());
        }
    }
}
