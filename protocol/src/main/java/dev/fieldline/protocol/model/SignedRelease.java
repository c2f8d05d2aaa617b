package dev.fieldline.protocol.model;

import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.cose.CoseSign1;
import dev.fieldline.protocol.cose.SignedMessage;
import dev.fieldline.protocol.model.ModelDeliveryException.Reason;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A release manifest signed by the gateway: a COSE_Sign1 with ES256 ({@code docs/signing.md}) whose
 * payload is the manifest's JSON and whose kid is the gateway key's id ({@link KeyIds}). The file
 * itself is covered through the SHA-256 and size inside the signed manifest. Thread-safe.
 */
public final class SignedRelease {
    /** Largest signed manifest accepted: the manifest limit plus the envelope. */
    public static final int MAX_BYTES = ModelRelease.MAX_MANIFEST_BYTES + CoseSign1.MAX_ENVELOPE_OVERHEAD;

    private static final CoseSign1 COSE = new CoseSign1(DecodeLimits.DEFAULT.withMaxPayloadBytes(ModelRelease.MAX_MANIFEST_BYTES));

    private SignedRelease() {
    }

    /** Signs the manifest's {@link ModelRelease#toJson() bytes} with the gateway's key pair. */
    public static byte[] sign(ModelRelease release, PrivateKey key, PublicKey publicKey) {
        return COSE.sign(release.toJson(), KeyIds.of(publicKey), key);
    }

    /**
     * Checks that {@code signed} is a COSE_Sign1 by {@code gatewayKey} over a valid release manifest.
     *
     * @throws ModelDeliveryException {@code malformed} (not COSE, or not a manifest), {@code wrong_key}
     *     (another kid), {@code bad_signature}
     */
    public static ModelRelease verify(byte[] signed, PublicKey gatewayKey) {
        if (signed == null || signed.length > MAX_BYTES) {
            throw new ModelDeliveryException(Reason.MALFORMED, "the signed manifest is "
                    + (signed == null ? "missing" : signed.length + " bytes, limit " + MAX_BYTES));
        }
        SignedMessage message;
        try {
            message = COSE.decode(signed);
        } catch (DecodeException e) {
            throw new ModelDeliveryException(Reason.MALFORMED, "the signed manifest is not a COSE_Sign1 (" + e.reason().code()
                    + "): " + e.getMessage(), e);
        }
        byte[] expected = KeyIds.of(gatewayKey);
        if (!Arrays.equals(expected, message.kid())) {
            throw new ModelDeliveryException(Reason.WRONG_KEY, "the manifest is signed by key " + HexFormat.of().formatHex(message.kid())
                    + ", not by the enrolled gateway key " + HexFormat.of().formatHex(expected));
        }
        try {
            COSE.verify(message, gatewayKey);
        } catch (DecodeException e) {
            throw new ModelDeliveryException(Reason.BAD_SIGNATURE, "the manifest's signature does not verify with the gateway key", e);
        }
        try {
            return ModelRelease.parse(message.payload());
        } catch (DecodeException e) {
            throw new ModelDeliveryException(Reason.MALFORMED, "the signed manifest is not a release manifest (" + e.reason().code()
                    + "): " + e.getMessage(), e);
        }
    }

    /** The manifest's JSON inside a signed manifest, without checking the signature (for display). */
    public static byte[] payload(byte[] signed) {
        return COSE.decode(signed).payload();
    }

    /**
     * Checks a downloaded file against the verified manifest: size first (a truncated download is
     * named as such), then SHA-256.
     *
     * @throws ModelDeliveryException {@code size_mismatch}, {@code hash_mismatch}
     */
    public static void checkFile(ModelRelease release, byte[] file) {
        if (file.length != release.bytes()) {
            throw new ModelDeliveryException(Reason.SIZE_MISMATCH, "the file is " + file.length + " bytes but the signed manifest says "
                    + release.bytes() + (file.length < release.bytes() ? " (truncated download)" : ""));
        }
        String sha = ModelRelease.sha256(file);
        if (!sha.equals(release.sha256())) {
            throw new ModelDeliveryException(Reason.HASH_MISMATCH, "the file's sha256 is " + sha + " but the signed manifest says "
                    + release.sha256());
        }
    }

    /** Checks that an offer names what the signed manifest describes. @throws ModelDeliveryException {@code offer_mismatch} */
    public static void checkOffer(ModelRelease release, ModelOffer offer) {
        if (!release.name().equals(offer.name()) || release.version() != offer.version() || !release.sha256().equals(offer.sha256())
                || release.bytes() != offer.bytes()) {
            throw new ModelDeliveryException(Reason.OFFER_MISMATCH, "the offer (" + offer.name() + " v" + offer.version() + ", "
                    + offer.bytes() + " bytes, " + offer.sha256() + ") is not what the signed manifest describes (" + release.name()
                    + " v" + release.version() + ", " + release.bytes() + " bytes, " + release.sha256() + ")");
        }
    }
}
