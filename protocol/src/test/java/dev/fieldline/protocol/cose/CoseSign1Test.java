package dev.fieldline.protocol.cose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Value;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class CoseSign1Test {
    private static final KeyPair DEVICE = CoseKeys.generate();
    private static final byte[] KID = KeyIds.of(DEVICE.getPublic());
    private static final byte[] PROTECTED = HexFormat.of().parseHex("a10126");

    private final CoseSign1 cose = new CoseSign1();
    private final byte[] payload = new SenmlCodec().encode(new Telemetry("pump-7", Optional.of(new Sequence(3, 42)),
            List.of(new Reading("temp", "Cel", Optional.of(new Value.Num(21.5)), OptionalDouble.empty(),
                    Instant.parse("2025-01-01T00:00:00Z")))), PayloadFormat.CBOR);

    private KeyResolver registry() {
        return kid -> Arrays.equals(kid, KID) ? Optional.of(DEVICE.getPublic()) : Optional.empty();
    }

    private static byte[] signature(byte[] cose) {
        return Arrays.copyOfRange(cose, cose.length - 64, cose.length);
    }

    private void assertRefused(byte[] bytes, DecodeError reason) {
        assertThatThrownBy(() -> cose.verify(bytes, registry()))
                .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    /** A well-formed envelope with a valid signature over the given protected header. */
    private byte[] signedWith(byte[] protectedHeader, String unprotected) throws Exception {
        java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(DEVICE.getPrivate());
        s.update(CoseSign1.toBeSigned(protectedHeader, payload));
        return CoseCbor.sign1("d2", protectedHeader, unprotected, payload, s.sign());
    }

    @Test
    void signedTelemetryVerifiesAndKeepsPayloadAndKid() {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());

        SignedMessage m = cose.verify(signed, registry());

        assertThat(m.payload()).isEqualTo(payload);
        assertThat(m.kid()).isEqualTo(KID);
        assertThat(m.protectedHeader()).isEqualTo(PROTECTED);
        assertThat(cose.decode(signed)).isEqualTo(m);
        assertThat(m.toString()).doesNotContain(HexFormat.of().formatHex(payload));
    }

    @Test
    void envelopeIsTag18ArrayOfProtectedAlgUnprotectedKidPayloadAndSignature() {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());

        byte[] expected = CoseCbor.sign1("d2", PROTECTED, CoseCbor.kidMap(KID), payload, signature(signed));
        assertThat(HexFormat.of().formatHex(signed)).isEqualTo(HexFormat.of().formatHex(expected));
        assertThat(HexFormat.of().formatHex(signed)).startsWith("d28443a10126a10450" + HexFormat.of().formatHex(KID));
    }

    @Test
    void sigStructureIsTheDeterministicRfc9052Array() {
        assertThat(HexFormat.of().formatHex(CoseSign1.toBeSigned(PROTECTED, new byte[] {1, 2, 3})))
                .isEqualTo("84" + "6a" + "5369676e617475726531" + "43a10126" + "40" + "43010203");
        byte[] big = new byte[300];
        assertThat(HexFormat.of().formatHex(CoseSign1.toBeSigned(PROTECTED, big)))
                .startsWith("846a5369676e61747572653143a10126" + "40" + "59012c");
    }

    @Test
    void untaggedEnvelopeIsAcceptedToo() {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());

        byte[] untagged = Arrays.copyOfRange(signed, 1, signed.length);

        assertThat(cose.verify(untagged, registry()).payload()).isEqualTo(payload);
    }

    @Test
    void signaturesWeWriteHaveLowSAndHighSStillVerifies() {
        BigInteger n = CoseKeys.order();
        for (int i = 0; i < 64; i++) {
            byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());
            byte[] sig = signature(signed);
            BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
            assertThat(s).isLessThanOrEqualTo(n.shiftRight(1));

            byte[] high = sig.clone();
            CoseKeys.unsigned(n.subtract(s), high, 32);
            byte[] malleated = CoseCbor.sign1("d2", PROTECTED, CoseCbor.kidMap(KID), payload, high);
            assertThat(cose.verify(malleated, registry()).payload()).isEqualTo(payload);
        }
    }

    @Test
    void tamperedPayloadWrongKeyAndUnknownKidAreRefused() {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());
        byte[] tampered = signed.clone();
        tampered[tampered.length - 64 - 5] ^= 0x01; // a payload byte
        assertRefused(tampered, DecodeError.BAD_SIGNATURE);

        byte[] byOther = cose.sign(payload, KID, CoseKeys.generate().getPrivate());
        assertRefused(byOther, DecodeError.BAD_SIGNATURE);

        byte[] otherKid = cose.sign(payload, new byte[] {9, 9}, DEVICE.getPrivate());
        assertRefused(otherKid, DecodeError.UNKNOWN_KEY);

        byte[] flippedSignature = signed.clone();
        flippedSignature[flippedSignature.length - 1] ^= 0x01;
        assertRefused(flippedSignature, DecodeError.BAD_SIGNATURE);

        assertRefused(CoseCbor.sign1("d2", PROTECTED, CoseCbor.kidMap(KID), payload, new byte[64]), DecodeError.BAD_SIGNATURE);
    }

    @Test
    void tamperedProtectedHeaderIsRefused() throws Exception {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());
        byte[] withContentType = HexFormat.of().parseHex("a2012603183c"); // {1: -7, 3: 60}
        byte[] swapped = CoseCbor.sign1("d2", withContentType, CoseCbor.kidMap(KID), payload, signature(signed));

        assertRefused(swapped, DecodeError.BAD_SIGNATURE);
        // the same header with its own signature is fine: content type is known and not critical
        assertThat(cose.verify(signedWith(withContentType, CoseCbor.kidMap(KID)), registry()).payload()).isEqualTo(payload);
    }

    @Test
    void unknownNonCriticalHeadersAreIgnoredAndKidMayBeProtected() throws Exception {
        String unprotected = HexFormat.of().formatHex(CoseCbor.of().map(2).hex("04").bstr(KID).hex("1863 6178").bytes());
        assertThat(cose.verify(signedWith(PROTECTED, unprotected), registry()).kid()).isEqualTo(KID);

        byte[] protectedKid = CoseCbor.of().map(2).hex("0126").hex("04").bstr(KID).bytes();
        assertThat(cose.verify(signedWith(protectedKid, "a0"), registry()).kid()).isEqualTo(KID);
        assertRefused(signedWith(protectedKid, CoseCbor.kidMap(KID)), DecodeError.MALFORMED);
    }

    @Test
    void everyTruncationIsRefusedWithATypedReason() {
        byte[] signed = cose.sign(payload, KID, DEVICE.getPrivate());
        for (int len = 0; len < signed.length; len++) {
            byte[] prefix = Arrays.copyOf(signed, len);
            assertThatThrownBy(() -> cose.verify(prefix, registry())).as("prefix of " + prefix.length)
                    .isInstanceOf(DecodeException.class);
        }
    }

    @Test
    void oversizedPayloadAndEnvelopeAreTooLarge() {
        CoseSign1 small = new CoseSign1(DecodeLimits.DEFAULT.withMaxPayloadBytes(100));
        byte[] fits = cose.sign(new byte[100], KID, DEVICE.getPrivate());
        byte[] over = cose.sign(new byte[101], KID, DEVICE.getPrivate());
        byte[] wayOver = cose.sign(new byte[2000], KID, DEVICE.getPrivate());

        assertThat(small.verify(fits, registry()).payload()).hasSize(100);
        assertThatThrownBy(() -> small.decode(over)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(DecodeError.TOO_LARGE));
        assertThatThrownBy(() -> small.decode(wayOver)).isInstanceOfSatisfying(DecodeException.class,
                e -> assertThat(e.reason()).isEqualTo(DecodeError.TOO_LARGE));
        assertThatThrownBy(() -> small.sign(new byte[101], KID, DEVICE.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload");
    }

    @Test
    void structuralRejections() {
        byte[] sig = signature(cose.sign(payload, KID, DEVICE.getPrivate()));
        String kid = CoseCbor.kidMap(KID);
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("tag 98 (COSE_Sign)", hex(CoseCbor.sign1("d862", PROTECTED, kid, payload, sig)));
        cases.put("two tags", hex(CoseCbor.sign1("d2d2", PROTECTED, kid, payload, sig)));
        cases.put("a map, not an array", "a0");
        cases.put("array of 3", hex(CoseCbor.of().hex("d2").array(3).bstr(PROTECTED).hex(kid).bstr(payload).bytes()));
        cases.put("array of 5", hex(CoseCbor.of().hex("d2").array(5).bstr(PROTECTED).hex(kid).bstr(payload).bstr(sig).hex("00").bytes()));
        cases.put("trailing bytes", hex(CoseCbor.sign1("d2", PROTECTED, kid, payload, sig)) + "00");
        cases.put("detached payload", hex(CoseCbor.of().hex("d2").array(4).bstr(PROTECTED).hex(kid).hex("f6").bstr(sig).bytes()));
        cases.put("tagged payload", hex(CoseCbor.of().hex("d2").array(4).bstr(PROTECTED).hex(kid).hex("d818").bstr(payload).bstr(sig).bytes()));
        cases.put("duplicate unprotected label", hex(CoseCbor.sign1("d2", PROTECTED,
                hex(CoseCbor.of().map(2).hex("04").bstr(KID).hex("04").bstr(KID).bytes()), payload, sig)));
        cases.put("protected with trailing bytes", hex(CoseCbor.sign1("d2", HexFormat.of().parseHex("a1012600"), kid, payload, sig)));
        cases.put("kid in both headers", hex(CoseCbor.sign1("d2", CoseCbor.of().map(2).hex("0126 04").bstr(KID).bytes(), kid, payload, sig)));
        for (var c : cases.entrySet()) {
            assertThatThrownBy(() -> cose.verify(HexFormat.of().parseHex(c.getValue()), registry())).as(c.getKey())
                    .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).as(c.getKey() + ": " + e.getMessage())
                            .isEqualTo(DecodeError.MALFORMED));
        }
    }

    @Test
    void headerRejections() {
        byte[] sig = signature(cose.sign(payload, KID, DEVICE.getPrivate()));
        String kid = CoseCbor.kidMap(KID);
        record Case(String name, byte[] bytes, DecodeError reason) {
        }
        List<Case> cases = List.of(
                new Case("protected is text", CoseCbor.of().hex("d2").array(4).hex("63a10126").hex(kid).bstr(payload).bstr(sig).bytes(),
                        DecodeError.WRONG_TYPE),
                new Case("protected is empty", CoseCbor.sign1("d2", new byte[0], kid, payload, sig), DecodeError.MISSING_FIELD),
                new Case("protected is an empty map", CoseCbor.sign1("d2", new byte[] {(byte) 0xa0}, kid, payload, sig),
                        DecodeError.MISSING_FIELD),
                new Case("protected is an array", CoseCbor.sign1("d2", new byte[] {(byte) 0x81, 0x26}, kid, payload, sig),
                        DecodeError.WRONG_TYPE),
                new Case("alg ES384", CoseCbor.sign1("d2", HexFormat.of().parseHex("a1013822"), kid, payload, sig),
                        DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("alg EdDSA", CoseCbor.sign1("d2", HexFormat.of().parseHex("a10127"), kid, payload, sig),
                        DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("alg as text", CoseCbor.sign1("d2", HexFormat.of().parseHex("a1016545533235 36".replace(" ", "")), kid, payload, sig),
                        DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("alg as a byte string", CoseCbor.sign1("d2", HexFormat.of().parseHex("a10141ff"), kid, payload, sig),
                        DecodeError.WRONG_TYPE),
                new Case("alg a big integer", CoseCbor.sign1("d2", HexFormat.of().parseHex("a1013bffffffffffffffff"), kid, payload, sig),
                        DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("crit", CoseCbor.sign1("d2", HexFormat.of().parseHex("a201260281186f"), kid, payload, sig),
                        DecodeError.UNKNOWN_MUST_UNDERSTAND),
                new Case("alg in unprotected", CoseCbor.sign1("d2", PROTECTED,
                        hex(CoseCbor.of().map(2).hex("0126 04").bstr(KID).bytes()), payload, sig), DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("only alg, in unprotected", CoseCbor.sign1("d2", new byte[] {(byte) 0xa0},
                        hex(CoseCbor.of().map(2).hex("0126 04").bstr(KID).bytes()), payload, sig), DecodeError.UNSUPPORTED_ALGORITHM),
                new Case("crit in unprotected", CoseCbor.sign1("d2", PROTECTED,
                        hex(CoseCbor.of().map(2).hex("0281186f 04").bstr(KID).bytes()), payload, sig), DecodeError.MALFORMED),
                new Case("no kid", CoseCbor.sign1("d2", PROTECTED, "a0", payload, sig), DecodeError.MISSING_FIELD),
                new Case("unprotected is an array", CoseCbor.sign1("d2", PROTECTED, "80", payload, sig), DecodeError.WRONG_TYPE),
                new Case("kid is text", CoseCbor.sign1("d2", PROTECTED, "a1046131", payload, sig), DecodeError.WRONG_TYPE),
                new Case("kid is empty", CoseCbor.sign1("d2", PROTECTED, "a10440", payload, sig), DecodeError.WRONG_TYPE),
                new Case("kid of 65 bytes", CoseCbor.sign1("d2", PROTECTED, CoseCbor.kidMap(new byte[65]), payload, sig),
                        DecodeError.LIMIT_EXCEEDED),
                new Case("protected header of 300 bytes", CoseCbor.sign1("d2",
                        CoseCbor.of().map(2).hex("0126 03").bstr(new byte[294]).bytes(), kid, payload, sig), DecodeError.LIMIT_EXCEEDED),
                new Case("payload is text", CoseCbor.of().hex("d2").array(4).bstr(PROTECTED).hex(kid).hex("6161").bstr(sig).bytes(),
                        DecodeError.WRONG_TYPE),
                new Case("signature of 63 bytes", CoseCbor.sign1("d2", PROTECTED, kid, payload, Arrays.copyOf(sig, 63)),
                        DecodeError.BAD_SIGNATURE),
                new Case("signature of 65 bytes", CoseCbor.sign1("d2", PROTECTED, kid, payload, Arrays.copyOf(sig, 65)),
                        DecodeError.BAD_SIGNATURE),
                new Case("signature r = n", CoseCbor.sign1("d2", PROTECTED, kid, payload, withR(sig, CoseKeys.order())),
                        DecodeError.BAD_SIGNATURE));
        for (Case c : cases) {
            assertThatThrownBy(() -> cose.verify(c.bytes(), registry())).as(c.name())
                    .isInstanceOfSatisfying(DecodeException.class, e -> assertThat(e.reason()).as(c.name() + ": " + e.getMessage())
                            .isEqualTo(c.reason()));
        }
    }

    private static byte[] withR(byte[] sig, BigInteger r) {
        byte[] out = sig.clone();
        CoseKeys.unsigned(r, out, 0);
        return out;
    }

    @Test
    void argumentsAreCheckedAndNamed() {
        PublicKey rsa;
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("RSA");
            g.initialize(1024);
            rsa = g.generateKeyPair().getPublic();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        SignedMessage m = cose.decode(cose.sign(payload, KID, DEVICE.getPrivate()));
        assertThatThrownBy(() -> cose.verify(m, rsa)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
        assertThatThrownBy(() -> cose.sign(payload, new byte[0], DEVICE.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kid");
        assertThatThrownBy(() -> cose.sign(payload, new byte[65], DEVICE.getPrivate()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kid");
        assertThatThrownBy(() -> cose.verify(new byte[] {1}, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keys");
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
