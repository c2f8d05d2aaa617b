package dev.fieldline.federated.secagg;

/** Bytes refused by {@link SecAggCodec#decode}: what is wrong, and at which offset. */
public final class SecAggFormatException extends SecAggException {
    private static final long serialVersionUID = 1L;

    public enum Defect {
        /** The input ends inside a field. */
        TRUNCATED,
        /** Bytes follow the end of the message. */
        TRAILING,
        /** An unknown format version. */
        VERSION,
        /** An unknown message type. */
        TYPE,
        /** A count, length or the whole input exceeds the decoder's limits. */
        TOO_LARGE,
        /** A field holds a value outside its range (client index 0, share not below the prime, bad width). */
        VALUE,
        /** A list is not in strictly increasing order of client index (each index at most once). */
        ORDER
    }

    private final Defect defect;
    private final int offset;

    public SecAggFormatException(Defect defect, int offset, String message) {
        super(Reason.MALFORMED, message + " (at byte " + offset + ")");
        this.defect = defect;
        this.offset = offset;
    }

    public Defect defect() {
        return defect;
    }

    public int offset() {
        return offset;
    }
}
