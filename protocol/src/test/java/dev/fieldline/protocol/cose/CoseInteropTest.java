package dev.fieldline.protocol.cose;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import dev.fieldline.testsupport.PeerProcess;
import dev.fieldline.testsupport.Peers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our COSE_Sign1 against implementations we did not write: OpenSSL checks the raw ECDSA over our
 * Sig_structure and signs one we verify; cose-js (npm, run by node) verifies our messages and signs
 * one we verify.
 */
@Tag("interop")
class CoseInteropTest {
    /** Pinned: the cose-js release this test was written against. */
    static final String COSE_JS = "cose-js@0.9.0";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final CoseSign1 cose = new CoseSign1();
    private final byte[] payload = new SenmlCodec().encode(new Telemetry("pump-7", Optional.of(new Sequence(3, 42)),
            List.of(new Reading("temp", "Cel", Optional.of(new Value.Num(21.5)), OptionalDouble.empty(),
                    Instant.parse("2025-01-01T00:00:00Z")))), PayloadFormat.CBOR);

    /** Runs a program to completion in {@link #dir}; returns its exit code and output. */
    private Result run(String name, String... command) {
        try (PeerProcess p = PeerProcess.start(name, List.of(command), dir)) {
            int code = p.awaitExit(TIMEOUT);
            return new Result(code, p.output());
        }
    }

    private record Result(int code, String output) {
    }

    private static KeyResolver only(PublicKey key) {
        byte[] kid = KeyIds.of(key);
        return k -> Arrays.equals(k, kid) ? Optional.of(key) : Optional.empty();
    }

    private Path pem(PublicKey key) throws Exception {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(key.getEncoded());
        return Files.writeString(dir.resolve("pub.pem"), "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n");
    }

    @Test
    void opensslVerifiesTheEcdsaOverOurSigStructure() throws Exception {
        String openssl = Peers.require("openssl", "openssl").toString();
        KeyPair device = CoseKeys.generate();
        SignedMessage m = cose.decode(cose.sign(payload, KeyIds.of(device.getPublic()), device.getPrivate()));
        Files.write(dir.resolve("sigstructure.bin"), m.toBeSigned());
        Files.write(dir.resolve("sig.der"), EcdsaDer.toDer(m.signature()));
        pem(device.getPublic());

        Result ok = run("openssl-verify", openssl, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig.der",
                "sigstructure.bin");
        assertThat(ok.output()).contains("Verified OK");
        assertThat(ok.code()).isZero();

        byte[] tampered = m.toBeSigned();
        tampered[tampered.length - 1] ^= 1;
        Files.write(dir.resolve("sigstructure.bin"), tampered);
        Result bad = run("openssl-verify-tampered", openssl, "dgst", "-sha256", "-verify", "pub.pem", "-signature",
                "sig.der", "sigstructure.bin");
        assertThat(bad.output()).contains("Verification failure").doesNotContain("Verified OK");
        assertThat(bad.code()).isNotZero();
    }

    @Test
    void weVerifyASigStructureOpensslSignedWithItsOwnKey() throws Exception {
        String openssl = Peers.require("openssl", "openssl").toString();
        assertThat(run("openssl-genkey", openssl, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem")
                .code()).isZero();
        assertThat(run("openssl-pubkey", openssl, "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", "-out", "pub.der")
                .code()).isZero();
        PublicKey key = CoseKeys.fromSubjectPublicKeyInfo(Files.readAllBytes(dir.resolve("pub.der")));
        byte[] kid = KeyIds.of(key);
        byte[] protectedHeader = HexFormat.of().parseHex("a10126");
        Files.write(dir.resolve("tbs.bin"), CoseSign1.toBeSigned(protectedHeader, payload));

        assertThat(run("openssl-sign", openssl, "dgst", "-sha256", "-sign", "key.pem", "-out", "sig.der", "tbs.bin")
                .code()).isZero();
        byte[] signature = EcdsaDer.toP1363(Files.readAllBytes(dir.resolve("sig.der")));
        byte[] message = CoseCbor.sign1("d2", protectedHeader, CoseCbor.kidMap(kid), payload, signature);

        assertThat(cose.verify(message, only(key)).payload()).isEqualTo(payload);
        byte[] otherPayload = CoseCbor.sign1("d2", protectedHeader, CoseCbor.kidMap(kid), new byte[] {(byte) 0x80}, signature);
        assertThatThrownBy(() -> cose.verify(otherPayload, only(key))).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(DecodeError.BAD_SIGNATURE));
    }

    /** Installs the pinned cose-js in {@link #dir}; skips outside CI when npm or the registry is unavailable. */
    private String installCoseJs() throws Exception {
        String npm = Peers.require("npm", "npm").toString();
        String node = Peers.require("nodejs", "node").toString();
        Result install = run("npm-install", npm, "install", "--no-audit", "--no-fund", "--no-save", COSE_JS);
        if (install.code() != 0 || !Files.isDirectory(dir.resolve("node_modules/cose-js"))) {
            String reason = "npm could not install " + COSE_JS + " (registry unreachable?): " + install.output();
            if (Peers.inCi()) {
                throw new AssertionError(reason + "; CI=true, so this is a failure, not a skip");
            }
            System.out.println("SKIPPED: " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        }
        Path script = dir.resolve("cose-js-interop.js");
        try (var in = CoseInteropTest.class.getResourceAsStream("/interop/cose-js-interop.js")) {
            Files.write(script, in.readAllBytes());
        }
        return node;
    }

    private static String lastLine(String output) {
        String[] lines = output.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    @Test
    void coseJsVerifiesOurMessagesAndWeVerifyItsMessages() throws Exception {
        String node = installCoseJs();
        KeyPair device = CoseKeys.generate();
        byte[] point = CoseKeys.uncompressedPoint(device.getPublic());
        String x = HexFormat.of().formatHex(point, 1, 33);
        String y = HexFormat.of().formatHex(point, 33, 65);
        byte[] ours = cose.sign(payload, KeyIds.of(device.getPublic()), device.getPrivate());

        Result verified = run("cose-js-verify", node, "cose-js-interop.js", "verify", HexFormat.of().formatHex(ours), x, y);
        assertThat(verified.code()).as(verified.output()).isZero();
        assertThat(lastLine(verified.output())).isEqualTo(HexFormat.of().formatHex(payload));

        byte[] tampered = ours.clone();
        tampered[tampered.length - 64 - 3] ^= 1;
        Result refused = run("cose-js-verify-tampered", node, "cose-js-interop.js", "verify",
                HexFormat.of().formatHex(tampered), x, y);
        assertThat(refused.code()).isNotZero();
        assertThat(refused.output()).contains("Signature missmatch");

        byte[] d = new byte[32];
        CoseKeys.unsigned(((ECPrivateKey) device.getPrivate()).getS(), d, 0);
        String kid = HexFormat.of().formatHex(KeyIds.of(device.getPublic()));
        List<byte[]> theirs = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // elliptic does not normalise s: some of these have high s
            Result signed = run("cose-js-sign-" + i, node, "cose-js-interop.js", "sign", HexFormat.of().formatHex(payload),
                    HexFormat.of().formatHex(d), kid);
            assertThat(signed.code()).as(signed.output()).isZero();
            theirs.add(HexFormat.of().parseHex(lastLine(signed.output())));
        }
        for (byte[] message : theirs) {
            SignedMessage m = cose.verify(message, only(device.getPublic()));
            assertThat(m.payload()).isEqualTo(payload);
            assertThat(m.kid()).isEqualTo(KeyIds.of(device.getPublic()));
            assertThat(m.protectedHeader()).isEqualTo(HexFormat.of().parseHex("a10126"));
        }
    }
}
