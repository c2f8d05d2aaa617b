package dev.fieldline.agent.hal;

/**
 * An I/O operation on a bus, pin or remote front end that failed. The reason is countable and
 * decides what the agent does: a sensor whose reads fail is marked faulted, reported in the status
 * and retried with backoff, while the other sensors go on.
 */
public class HalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** Nothing answers at this address or on this line (absent or unplugged device). */
        ABSENT,
        /** The device did not acknowledge (I2C NACK) or refused the request. */
        NACK,
        /** No answer in time (bus, serial front end, BLE). */
        TIMEOUT,
        /** An answer came but makes no sense (bad chip id, CRC error, impossible value). */
        GARBAGE,
        /** The value is too old (a pushed reading that stopped arriving). */
        STALE,
        /** The platform or provider cannot do this (e.g. ADC on a Raspberry Pi GPIO). */
        UNSUPPORTED,
        /** Any other I/O error of the provider. */
        IO
    }

    private final Reason reason;

    public HalException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public HalException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
