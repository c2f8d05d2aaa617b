package dev.fieldline.protocol.cose;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A decoded COSE_Sign1 (RFC 9052 §4.2). Decoding checks the structure only: whether the signature
 * verifies is {@link CoseSign1#verify(SignedMessage, java.security.PublicKey)}'s business. Accessors
 * return copies.
 *
 * @param protectedHeader the protected header exactly as received (the bytes the signature covers)
 * @param kid the key id from the header (1 to {@value CoseSign1#MAX_KID_BYTES} bytes)
 * @param payload the signed payload (for Fieldline, SenML CBOR)
 * @param signature the ES256 signature, r || s, 64 bytes
 */
public record SignedMessage(byte[] protectedHeader, byte[] kid, byte[] payload, byte[] signature) {

    public SignedMessage {
        protectedHeader = copy(protectedHeader, "protectedHeader");
        kid = copy(kid, "kid");
        payload = copy(payload, "payload");
        signature = copy(signature, "signature");
    }

    private static byte[] copy(byte[] bytes, String name) {
        if (bytes == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return bytes.clone();
    }

    @Override
    public byte[] protectedHeader() {
        return protectedHeader.clone();
    }

    @Override
    public byte[] kid() {
        return kid.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    /** The bytes the signature is computed over: the CBOR Sig_structure (RFC 9052 §4.4). */
    public byte[] toBeSigned() {
        return CoseSign1.toBeSigned(protectedHeader, payload);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedMessage m && Arrays.equals(protectedHeader, m.protectedHeader)
                && Arrays.equals(kid, m.kid) && Arrays.equals(payload, m.payload)
                && Arrays.equals(signature, m.signature);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(protectedHeader) + Arrays.hashCode(kid)) + Arrays.hashCode(payload))
                + Arrays.hashCode(signature);
    }

    /** Names the key and sizes; never the payload. */
    @Override
    public String toString() {
        return "SignedMessage[kid=" + HexFormat.of().formatHex(kid) + ", payload=" + payload.length + " bytes]";
    }
}
