package dev.fieldline.protocol.federated;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.PayloadFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/protocol.md §10 honest: every JSON line in its examples decodes as one of the federated
 * messages (or as an update body) and encodes back to exactly the same text.
 */
class FlDocumentedExamplesTest {
    private static final Path DOC = Path.of("..", "docs", "protocol.md");
    private final FlCodec codec = new FlCodec();

    @Test
    void everyJsonExampleOfSection10IsWhatTheCodecWrites() throws IOException {
        String doc = Files.readString(DOC, UTF_8);
        int from = doc.indexOf("\n## 10. Federated learning");
        assertThat(from).as("section 10").isPositive();
        String section = doc.substring(from);
        List<String> lines = new ArrayList<>();
        boolean inJson = false;
        for (String line : section.split("\n")) {
            if (line.startsWith("```json")) {
                inJson = true;
            } else if (line.startsWith("```")) {
                inJson = false;
            } else if (inJson && !line.isBlank()) {
                lines.add(line.trim());
            }
        }
        int bodyAt = section.indexOf("Its\nJSON twin, for reading: `");
        assertThat(bodyAt).as("the body's JSON twin").isPositive();
        int start = section.indexOf('`', bodyAt) + 1;
        lines.add(section.substring(start, section.indexOf('`', start)));
        assertThat(lines).hasSizeGreaterThanOrEqualTo(8);
        for (String line : lines) {
            assertThat(reencoded(line)).as(line).isEqualTo(line);
        }
        assertThat(java.util.HexFormat.of().formatHex(codec.encode(new FlMessage.Fetch(2, 0), PayloadFormat.CBOR)))
                .isEqualTo("a2617602616900");
        assertThat(section).contains("`a2 61 76 02 61 69 00`");
    }

    /** The line if some kind (or the body) decodes it and encodes it back to the same text; else what the last one gave. */
    private String reencoded(String json) {
        byte[] bytes = json.getBytes(UTF_8);
        String last = "(nothing decodes it)";
        for (FlKind kind : FlKind.values()) {
            try {
                last = new String(codec.encode(codec.decode(kind, "gh-7", bytes, PayloadFormat.JSON), PayloadFormat.JSON), UTF_8);
                if (last.equals(json)) {
                    return last;
                }
            } catch (DecodeException notThisKind) {
                // try the next
            }
        }
        try {
            return new String(codec.encodeBody(codec.decodeBody(bytes, PayloadFormat.JSON, 2), PayloadFormat.JSON), UTF_8);
        } catch (DecodeException notABody) {
            return last;
        }
    }
}
