package dev.fieldline.protocol.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.cose.CoseKeys;
import dev.fieldline.protocol.cose.CoseSign1;
import dev.fieldline.protocol.model.ModelDeliveryException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SignedReleaseTest {
    private static final KeyPair GATEWAY = CoseKeys.generate();
    private static final KeyPair OTHER = CoseKeys.generate();
    static final byte[] FILE = "not really a tflite file, but bytes with a hash".getBytes(StandardCharsets.US_ASCII);

    static ModelRelease release(byte[] file) {
        return new ModelRelease("fashion-mlp", 3, Instant.parse("2026-11-21T14:00:00Z"), "float32", ModelRelease.sha256(file),
                file.length,
                List.of(new ModelRelease.Tensor("input", "float32", List.of(1, 784), OptionalDouble.empty(), OptionalLong.empty())),
                List.of(new ModelRelease.Tensor("output", "int8", List.of(1, 10), OptionalDouble.of(0.0625), OptionalLong.of(-3))),
                Map.of("round", new Value.Num(12), "strategy", new Value.Text("fedavg")),
                new ModelRelease.SelfTest(1e-4, List.of(new ModelRelease.Vector(new byte[] {1, 2, 3, 4}, new byte[] {5, 6}))));
    }

    private static void refused(ThrowingCallable call, Reason reason, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ModelDeliveryException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(message);
    }

    @Test
    void aSignedManifestVerifiesWithTheGatewayKeyAndDescribesTheFile() {
        byte[] signed = SignedRelease.sign(release(FILE), GATEWAY.getPrivate(), GATEWAY.getPublic());
        ModelRelease verified = SignedRelease.verify(signed, GATEWAY.getPublic());
        assertThat(verified).isEqualTo(release(FILE));
        SignedRelease.checkFile(verified, FILE);
        SignedRelease.checkOffer(verified, new ModelOffer("fashion-mlp", 3, ModelRelease.sha256(FILE), FILE.length, Optional.empty()));
        assertThat(new String(SignedRelease.payload(signed), StandardCharsets.UTF_8)).startsWith(
                "{\"format\":\"fieldline-model-release/1\",\"name\":\"fashion-mlp\",\"version\":3,");
    }

    @Test
    void aTamperedManifestIsRefused() {
        byte[] signed = SignedRelease.sign(release(FILE), GATEWAY.getPrivate(), GATEWAY.getPublic());
        String text = new String(signed, StandardCharsets.ISO_8859_1);
        byte[] tampered = text.replace("\"version\":3", "\"version\":4").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(tampered).isNotEqualTo(signed);
        refused(() -> SignedRelease.verify(tampered, GATEWAY.getPublic()), Reason.BAD_SIGNATURE, "does not verify");

        // a signature byte flipped
        byte[] flipped = signed.clone();
        flipped[flipped.length - 1] ^= 1;
        refused(() -> SignedRelease.verify(flipped, GATEWAY.getPublic()), Reason.BAD_SIGNATURE, "does not verify");
    }

    @Test
    void aManifestSignedWithAnotherKeyIsRefused() {
        byte[] other = SignedRelease.sign(release(FILE), OTHER.getPrivate(), OTHER.getPublic());
        refused(() -> SignedRelease.verify(other, GATEWAY.getPublic()), Reason.WRONG_KEY, "not by the enrolled gateway key");
        // the gateway's kid on another key's signature
        byte[] forged = new CoseSign1().sign(release(FILE).toJson(), KeyIds.of(GATEWAY.getPublic()), OTHER.getPrivate());
        refused(() -> SignedRelease.verify(forged, GATEWAY.getPublic()), Reason.BAD_SIGNATURE, "does not verify");
    }

    @Test
    void aTamperedOrTruncatedFileIsRefused() {
        ModelRelease r = release(FILE);
        byte[] tampered = FILE.clone();
        tampered[7] ^= 0x20;
        refused(() -> SignedRelease.checkFile(r, tampered), Reason.HASH_MISMATCH, "sha256");
        refused(() -> SignedRelease.checkFile(r, Arrays.copyOf(FILE, FILE.length - 5)), Reason.SIZE_MISMATCH, "truncated download");
        refused(() -> SignedRelease.checkFile(r, Arrays.copyOf(FILE, FILE.length + 1)), Reason.SIZE_MISMATCH, "signed manifest says");
    }

    @Test
    void anOfferThatIsNotWhatWasSignedIsRefused() {
        ModelRelease r = release(FILE);
        refused(() -> SignedRelease.checkOffer(r, new ModelOffer("fashion-mlp", 2, r.sha256(), r.bytes(), Optional.empty())),
                Reason.OFFER_MISMATCH, "v2");
        refused(() -> SignedRelease.checkOffer(r, new ModelOffer("other", 3, r.sha256(), r.bytes(), Optional.empty())),
                Reason.OFFER_MISMATCH, "other");
    }

    @Test
    void somethingElseThanASignedManifestIsMalformed() {
        refused(() -> SignedRelease.verify(new byte[] {1, 2, 3}, GATEWAY.getPublic()), Reason.MALFORMED, "not a COSE_Sign1");
        byte[] notAManifest = new CoseSign1().sign("{\"format\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                KeyIds.of(GATEWAY.getPublic()), GATEWAY.getPrivate());
        refused(() -> SignedRelease.verify(notAManifest, GATEWAY.getPublic()), Reason.MALFORMED, "not a release manifest");
        refused(() -> SignedRelease.verify(new byte[SignedRelease.MAX_BYTES + 1], GATEWAY.getPublic()), Reason.MALFORMED, "limit");
    }

    @Test
    void theManifestParserIsStrict() {
        String good = new String(release(FILE).toJson(), StandardCharsets.UTF_8);
        assertThat(ModelRelease.parse(good.getBytes(StandardCharsets.UTF_8))).isEqualTo(release(FILE));
        assertThatThrownBy(() -> ModelRelease.parse(good.replace("\"variant\"", "\"extra\":1,\"variant\"").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("unknown field extra");
        assertThatThrownBy(() -> ModelRelease.parse(good.replace("\"name\":\"fashion-mlp\",", "").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("name is missing");
        assertThatThrownBy(() -> ModelRelease.parse(good.replace("fashion-mlp", "../etc").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("name must match");
        assertThatThrownBy(() -> ModelRelease.parse(good.replace("fieldline-model-release/1", "fieldline-model-release/2")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(DecodeException.class).hasMessageContaining("format must be");
        assertThatThrownBy(() -> ModelRelease.parse(good.replace("[1,784]", "[1,-784]").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("dimension");
    }

    @Test
    void offersRoundTripThroughCommandArguments() {
        ModelOffer o = new ModelOffer("m", 7, ModelRelease.sha256(FILE), 1234, Optional.of("http://gw:8080/api/v1/models/m/7"));
        assertThat(ModelOffer.fromArgs(o.toArgs())).isEqualTo(o);
        assertThat(o.coapPath()).isEqualTo("v1/models/m/7");
        refused(() -> ModelOffer.fromArgs(Map.of("name", new Value.Text("m"))), Reason.MALFORMED, "needs name");
        refused(() -> ModelOffer.fromArgs(Map.of("name", new Value.Text("M!"), "version", new Value.Num(1),
                "sha256", new Value.Text(o.sha256()), "bytes", new Value.Num(3))), Reason.MALFORMED, "name must match");
        refused(() -> ModelOffer.fromArgs(Map.of("name", new Value.Text("m"), "version", new Value.Num(1.5),
                "sha256", new Value.Text(o.sha256()), "bytes", new Value.Num(3))), Reason.MALFORMED, "integers");
    }
}
