package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.protocol.cose.CoseKeys;
import dev.fieldline.protocol.cose.CoseSign1;
import dev.fieldline.protocol.cose.SignedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/signing.md honest: the Sig_structure is what the code builds for the documented
 * telemetry, the signed example verifies with the documented key, the kid is that key's id, and every
 * byte of the envelope but the (random) signature is what the signer writes.
 */
class DocumentedSigningTest {
    private static final Path DOC = Path.of("..", "docs", "signing.md");
    private static final Pattern BLOCK = Pattern.compile(
            "([^`]*?)<!-- signing: ([a-z0-9-]+) -->\\s*```[a-z]*\\n(.*?)\\n```", Pattern.DOTALL);
    private static final Pattern BYTE_COUNT = Pattern.compile("(\\d+) bytes");

    private static final Map<String, String> BLOCKS = new LinkedHashMap<>();
    private static final Map<String, String> PROSE_BEFORE = new LinkedHashMap<>();

    private final byte[] payload = new SenmlCodec().encode(Samples.TELEMETRY, PayloadFormat.CBOR);
    private final CoseSign1 cose = new CoseSign1();

    @BeforeAll
    static void readTheDocument() throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(DOC, UTF_8));
        while (m.find()) {
            BLOCKS.put(m.group(2), m.group(3));
            PROSE_BEFORE.put(m.group(2), m.group(1));
        }
    }

    private static PublicKey documentedKey() {
        String pem = BLOCKS.get("public-key").replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return CoseKeys.fromSubjectPublicKeyInfo(Base64.getDecoder().decode(pem));
    }

    private static byte[] block(String name, int statedLength) {
        byte[] bytes = Hex.bytes(BLOCKS.get(name));
        Matcher count = BYTE_COUNT.matcher(PROSE_BEFORE.get(name));
        assertThat(count.find()).as(name + " states its size").isTrue();
        assertThat(Integer.parseInt(count.group(1))).as(name + " byte count in the text").isEqualTo(bytes.length)
                .isEqualTo(statedLength);
        return bytes;
    }

    @Test
    void everyMarkedBlockIsChecked() {
        assertThat(BLOCKS.keySet()).containsExactlyInAnyOrder("cose-sign1", "sig-structure", "public-key", "kid");
    }

    @Test
    void sigStructureIsWhatTheCodeSigns() {
        byte[] expected = CoseSign1.toBeSigned(new byte[] {(byte) 0xa1, 0x01, 0x26}, payload);
        assertThat(Hex.of(block("sig-structure", expected.length))).isEqualTo(Hex.of(expected));
    }

    @Test
    void kidIsTheDocumentedKeysId() {
        assertThat(BLOCKS.get("kid").strip()).isEqualTo(KeyIds.hex(KeyIds.of(documentedKey())));
    }

    @Test
    void signedExampleVerifiesAndMatchesTheSignerByteForByteButTheSignature() {
        byte[] documented = Hex.bytes(BLOCKS.get("cose-sign1"));
        PublicKey key = documentedKey();
        byte[] kid = KeyIds.of(key);

        SignedMessage m = cose.verify(documented, k -> Arrays.equals(k, kid) ? Optional.of(key) : Optional.empty());
        assertThat(m.payload()).isEqualTo(payload);
        assertThat(m.toBeSigned()).isEqualTo(Hex.bytes(BLOCKS.get("sig-structure")));

        byte[] ours = cose.sign(payload, kid, CoseKeys.generate().getPrivate()); // same layout, other signature
        block("cose-sign1", ours.length);
        assertThat(Hex.of(Arrays.copyOf(documented, documented.length - 64)))
                .isEqualTo(Hex.of(Arrays.copyOf(ours, ours.length - 64)));
    }

    @Test
    void everySigningReasonIsDocumented() throws IOException {
        String doc = Files.readString(DOC, UTF_8);
        for (DecodeError e : new DecodeError[] {DecodeError.BAD_SIGNATURE, DecodeError.UNKNOWN_KEY,
                DecodeError.UNSUPPORTED_ALGORITHM, DecodeError.UNKNOWN_MUST_UNDERSTAND}) {
            assertThat(doc).contains("`" + e.code() + "`");
        }
    }
}
