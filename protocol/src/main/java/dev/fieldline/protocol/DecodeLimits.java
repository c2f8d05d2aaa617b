package dev.fieldline.protocol;

/**
 * Size limits every decoder enforces before and while it parses.
 *
 * @param maxPayloadBytes largest accepted payload, checked before parsing
 * @param maxRecords largest number of SenML records in one pack
 * @param maxNameLength longest resolved SenML name, device id or attribute key, in characters
 * @param maxStringLength longest string value (vs, messages), in characters
 * @param maxDataBytes longest binary value (vd), in bytes after decoding
 * @param maxAttributes most entries in an attribute or argument map
 */
public record DecodeLimits(
        int maxPayloadBytes,
        int maxRecords,
        int maxNameLength,
        int maxStringLength,
        int maxDataBytes,
        int maxAttributes) {

    /** 64 KiB payloads, 1,000 records, 128-character names, 4 KiB strings and data, 32 attributes. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(64 * 1024, 1000, 128, 4096, 4096, 32);

    public DecodeLimits {
        requirePositive(maxPayloadBytes, "maxPayloadBytes");
        requirePositive(maxRecords, "maxRecords");
        requirePositive(maxNameLength, "maxNameLength");
        requirePositive(maxStringLength, "maxStringLength");
        requirePositive(maxDataBytes, "maxDataBytes");
        requirePositive(maxAttributes, "maxAttributes");
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    public DecodeLimits withMaxPayloadBytes(int bytes) {
        return new DecodeLimits(bytes, maxRecords, maxNameLength, maxStringLength, maxDataBytes, maxAttributes);
    }
}
