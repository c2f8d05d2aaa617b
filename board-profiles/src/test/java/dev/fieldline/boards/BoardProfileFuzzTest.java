package dev.fieldline.boards;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.config.ConfigException;
import dev.fieldline.config.YamlDocuments;

/**
 * Coverage-guided fuzzing (Jazzer) of the YAML reader and the board-profile loader: for any text,
 * the only exception that may escape is {@link ConfigException}. Inputs in
 * {@code src/test/resources/dev/fieldline/boards/BoardProfileFuzzTestInputs/boardProfile}; see
 * docs/testing.md, "Fuzzing".
 */
class BoardProfileFuzzTest {
    @FuzzTest
    void boardProfile(byte[] input) {
        try {
            BoardProfiles.fromYaml(YamlDocuments.parse("fuzz.yaml", new String(input, UTF_8)));
        } catch (ConfigException refused) {
            // the contract: a typed refusal naming file, line and key
        }
    }
}
