package dev.fieldline.protocol;

/**
 * Why a payload was refused. The {@link #code()} is stable: it is counted in metrics, returned in
 * API error bodies and written in logs.
 */
public enum DecodeError {
    /** The payload is larger than {@link DecodeLimits#maxPayloadBytes()}. */
    TOO_LARGE("too_large"),
    /** The content format is not one this message kind accepts. */
    UNSUPPORTED_FORMAT("unsupported_format"),
    /** The bytes are not well-formed CBOR or JSON, or not the expected structure (array of maps). */
    MALFORMED("malformed"),
    /** A required field is absent. */
    MISSING_FIELD("missing_field"),
    /** A known field has a value of the wrong type, or a value outside its range. */
    WRONG_TYPE("wrong_type"),
    /** A name is empty, too long or has characters SenML does not allow. */
    INVALID_NAME("invalid_name"),
    /** A unit is not in the SenML units registry. */
    INVALID_UNIT("invalid_unit"),
    /** A number is NaN or infinite. */
    INVALID_VALUE("invalid_value"),
    /** A record has no value and no sum, or more than one value. */
    INVALID_RECORD("invalid_record"),
    /** A field whose label ends in '_' (must-understand, RFC 8428 §4.4) that we do not understand. */
    UNKNOWN_MUST_UNDERSTAND("unknown_must_understand"),
    /** A SenML version (bver) newer than we implement. */
    UNSUPPORTED_VERSION("unsupported_version"),
    /** More records, attributes or nesting than the limits allow. */
    LIMIT_EXCEEDED("limit_exceeded"),
    /** The payload names a different device than the topic or resource it arrived on. */
    DEVICE_MISMATCH("device_mismatch"),
    /** A COSE_Sign1 signature that is not 64 bytes or does not verify with the key its kid names. */
    BAD_SIGNATURE("bad_signature"),
    /** A COSE_Sign1 kid that names no key the verifier knows. */
    UNKNOWN_KEY("unknown_key"),
    /** A COSE algorithm other than ES256 (-7), or one given outside the protected header. */
    UNSUPPORTED_ALGORITHM("unsupported_algorithm"),
    /** A signed message whose key belongs to a disabled device. */
    KEY_DISABLED("key_disabled"),
    /** A message signed with device A's key arriving for device B. */
    WRONG_DEVICE("wrong_device"),
    /** A signed message whose (bootId, seq) the gateway has already committed. */
    REPLAY("replay"),
    /** An unsigned message where the gateway requires signatures (secure mode). */
    UNSIGNED("unsigned");

    private final String code;

    DecodeError(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
