package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/protocol.md honest: each block marked {@code <!-- vector: NAME -->} is exactly what the
 * encoder produces for the {@link Samples} message, and each byte count the text states is right.
 */
class DocumentedExamplesTest {
    private static final Path DOC = Path.of("..", "docs", "protocol.md");
    private static final Pattern VECTOR = Pattern.compile(
            "([^`]*?)<!-- vector: ([a-z-]+) -->\\s*```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern BYTE_COUNT = Pattern.compile("(\\d+) bytes");

    private static String doc;
    private static final Map<String, String> BLOCKS = new LinkedHashMap<>();
    private static final Map<String, String> PROSE_BEFORE = new LinkedHashMap<>();

    private final SenmlCodec senml = new SenmlCodec();
    private final MessageCodec messages = new MessageCodec();

    @BeforeAll
    static void readTheDocument() throws IOException {
        doc = Files.readString(DOC, UTF_8);
        Matcher m = VECTOR.matcher(doc);
        while (m.find()) {
            BLOCKS.put(m.group(2), m.group(3));
            PROSE_BEFORE.put(m.group(2), m.group(1));
        }
    }

    private void assertVector(String name, byte[] encoded, boolean cbor) {
        assertThat(BLOCKS).as("docs/protocol.md vectors").containsKey(name);
        String block = BLOCKS.get(name);
        if (cbor) {
            assertThat(Hex.of(Hex.bytes(block))).as(name).isEqualTo(Hex.of(encoded));
        } else {
            assertThat(block).as(name).isEqualTo(new String(encoded, UTF_8));
        }
        Matcher count = BYTE_COUNT.matcher(PROSE_BEFORE.get(name));
        if (count.find()) {
            assertThat(Integer.parseInt(count.group(1))).as(name + " byte count in the text").isEqualTo(encoded.length);
        }
    }

    @Test
    void everyMarkedBlockIsChecked() {
        assertThat(BLOCKS.keySet()).containsExactlyInAnyOrder("telemetry-json", "telemetry-cbor", "event-json",
                "event-cbor", "status-json", "status-cbor", "command-json", "command-cbor", "result-json", "result-cbor", "ack-json", "ack-cbor");
    }

    @Test
    void telemetryExamples() {
        assertVector("telemetry-json", senml.encode(Samples.TELEMETRY, PayloadFormat.JSON), false);
        assertVector("telemetry-cbor", senml.encode(Samples.TELEMETRY, PayloadFormat.CBOR), true);
    }

    @Test
    void eventExamples() {
        assertVector("event-json", messages.encode(Samples.EVENT, PayloadFormat.JSON), false);
        assertVector("event-cbor", messages.encode(Samples.EVENT, PayloadFormat.CBOR), true);
    }

    @Test
    void statusExamples() {
        assertVector("status-json", messages.encode(Samples.STATUS, PayloadFormat.JSON), false);
        assertVector("status-cbor", messages.encode(Samples.STATUS, PayloadFormat.CBOR), true);
    }

    @Test
    void commandAndResultExamples() {
        assertVector("command-json", messages.encode(Samples.COMMAND, PayloadFormat.JSON), false);
        assertVector("command-cbor", messages.encode(Samples.COMMAND, PayloadFormat.CBOR), true);
        assertVector("result-json", messages.encode(Samples.RESULT, PayloadFormat.JSON), false);
        assertVector("result-cbor", messages.encode(Samples.RESULT, PayloadFormat.CBOR), true);
    }

    @Test
    void ackExamples() {
        assertVector("ack-json", messages.encode(Samples.ACK, PayloadFormat.JSON), false);
        assertVector("ack-cbor", messages.encode(Samples.ACK, PayloadFormat.CBOR), true);
    }

    @Test
    void everyUnitTheDocumentListsIsRegistered() {
        String section = doc.substring(doc.indexOf("### 3.5 Units"), doc.indexOf("## 4."));
        int n = 0;
        for (String line : section.split("\n")) {
            if (!line.startsWith("- RFC")) {
                continue;
            }
            Matcher m = Pattern.compile("`([^`]+)`").matcher(line);
            while (m.find()) {
                assertThat(SenmlUnits.isRegistered(m.group(1))).as(m.group(1)).isTrue();
                n++;
            }
        }
        assertThat(n).isGreaterThan(90);
    }

    @Test
    void everyErrorCodeIsDocumented() {
        for (DecodeError e : DecodeError.values()) {
            assertThat(doc).contains("| `" + e.code() + "` |");
        }
    }

    @Test
    void everyTopicSuffixIsDocumented() {
        for (MessageKind k : MessageKind.values()) {
            assertThat(doc).contains("`fl/v1/{id}/" + k.suffix() + "`");
        }
    }
}
