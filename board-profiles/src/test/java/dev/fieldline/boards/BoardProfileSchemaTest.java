package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.fieldline.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schema shipped for editors ({@code /boards/board-profile.schema.json}) against the
 * stock profiles, the example profiles, and a corpus of invalid profiles on which it must agree
 * with the loader: every file of {@code invalid/} says in its first lines whether the schema
 * refuses it too ({@code # schema: refuses}) or only the loader can tell ({@code # schema: accepts
 * (...)}, a rule that needs the whole board), and which problem the loader names
 * ({@code # loader: ...}). The loader refuses every one.
 */
class BoardProfileSchemaTest {
    private static Schema schema;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeAll
    static void loadSchema() throws IOException {
        try (InputStream in = BoardProfiles.class.getResourceAsStream(BoardProfiles.SCHEMA_RESOURCE)) {
            assertThat(in).as(BoardProfiles.SCHEMA_RESOURCE).isNotNull();
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
    }

    /** YAML as an editor's YAML 1.2 language server reads it (core schema: 0x76 is a number). */
    static JsonNode yaml(String text) {
        Object value = new Load(LoadSettings.builder().setSchema(new CoreSchema()).build()).loadFromString(text);
        return JSON.valueToTree(value);
    }

    static List<String> errors(String text) {
        return schema.validate(yaml(text)).stream().map(Error::toString).toList();
    }

    static List<String> stock() {
        return BoardProfiles.STOCK;
    }

    static Stream<Path> examples() throws IOException, URISyntaxException {
        return files("examples");
    }

    static Stream<Path> invalid() throws IOException, URISyntaxException {
        return files("invalid");
    }

    private static Stream<Path> files(String dir) throws IOException, URISyntaxException {
        Path d = Path.of(BoardProfileSchemaTest.class.getResource(dir).toURI());
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("stock")
    void everyStockProfileValidatesAgainstTheSchema(String name) throws IOException {
        String text;
        try (InputStream in = BoardProfiles.class.getResourceAsStream("/boards/" + name + ".yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(errors(text)).as(name).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleProfilesValidateAndLoad(Path file) throws IOException {
        assertThat(errors(Files.readString(file))).as(file.getFileName().toString()).isEmpty();
        assertThat(BoardProfiles.load(file.toString()).lineage()).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void theSchemaAndTheLoaderAgreeOnInvalidProfiles(Path file) throws IOException {
        String text = Files.readString(file);
        List<String> head = text.lines().limit(2).toList();
        assertThat(head.get(0)).as(file + ": first line").matches("# schema: (refuses|accepts \\(only the loader can tell: .+\\))");
        assertThat(head.get(1)).as(file + ": second line").startsWith("# loader: ");
        boolean schemaRefuses = head.get(0).equals("# schema: refuses");
        String loaderSays = head.get(1).substring("# loader: ".length());

        ConfigException refused = catchThrowableOfType(() -> BoardProfiles.load(file.toString()), ConfigException.class);
        assertThat(refused).as(file.getFileName() + ": the loader must refuse it").isNotNull();
        assertThat(refused.problems()).as(file.getFileName().toString())
                .anySatisfy(p -> assertThat(p.problem()).contains(loaderSays));
        assertThat(refused.problems()).allSatisfy(p -> {
            assertThat(p.source()).isNotBlank();
            assertThat(p.line()).as(p.getMessage()).isPresent();
        });

        List<String> schemaErrors = errors(text);
        if (schemaRefuses) {
            assertThat(schemaErrors).as(file.getFileName() + ": the schema must refuse it too").isNotEmpty();
        } else {
            assertThat(schemaErrors).as(file.getFileName() + ": the schema cannot see this; it must accept the file").isEmpty();
        }
    }

    @Test
    void theCorpusCoversBothKinds() throws Exception {
        List<String> heads = invalid().map(p -> {
            try {
                return Files.readString(p).lines().findFirst().orElse("");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertThat(heads.stream().filter(h -> h.equals("# schema: refuses")).count()).isGreaterThanOrEqualTo(25);
        assertThat(heads.stream().filter(h -> h.startsWith("# schema: accepts")).count()).isGreaterThanOrEqualTo(15);
    }

    @Test
    void theSchemaRefusesAnUnknownDriverNamingTheAllowedOnes() {
        assertThat(errors("name: x\nextends: rpi4b\nsensors:\n  t: {driver: thermistor}\n"))
                .anySatisfy(e -> assertThat(e).contains("/sensors/t/driver").contains("tmp36"));
    }
}
