package dev.fieldline.gateway.ingest;

/**
 * Where an uplink comes from, checked before it is decoded: a signed message (COSE_Sign1) is
 * verified and unwrapped; an unsigned one passes or is refused by policy. Throws
 * {@link dev.fieldline.protocol.DecodeException} with the reason when the message must be refused.
 */
@FunctionalInterface
public interface Provenance {

    /** Accepts every unsigned message and refuses signed ones (no keys to check them with). */
    Provenance UNCHECKED = uplink -> new Checked(uplink.payload(), false);

    Checked check(Uplink uplink);

    /**
     * @param payload the bytes to decode (the signed payload, for a signed message)
     * @param signed true if the message carried a valid signature of the device it arrived for
     */
    record Checked(byte[] payload, boolean signed) {
    }
}
