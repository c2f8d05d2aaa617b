package dev.fieldline.agent.hal.ble;

import dev.fieldline.agent.hal.HalException;

/**
 * A BTHome advertisement that was refused. The HAL reason is GARBAGE for malformed data and
 * UNSUPPORTED for data this receiver may not or cannot read (another version, encryption without a
 * key); {@link #problem()} says exactly what.
 */
public final class BthomeException extends HalException {
    private static final long serialVersionUID = 1L;

    /** Why the advertisement was refused. */
    public enum Problem {
        /** Shorter than its own structure says (no device info byte, an object cut off, no counter or MIC). */
        TRUNCATED(Reason.GARBAGE),
        /** Longer than any BLE advertisement can carry. */
        TOO_LONG(Reason.GARBAGE),
        /** The device info byte names a BTHome version other than 2. */
        UNSUPPORTED_VERSION(Reason.UNSUPPORTED),
        /** Encrypted, and no key is configured for the device. */
        ENCRYPTED(Reason.UNSUPPORTED),
        /** Not encrypted although a key is configured for the device (a downgrade is refused). */
        NOT_ENCRYPTED(Reason.GARBAGE),
        /** The message integrity check failed: wrong key, wrong address, or tampered data. */
        AUTHENTICATION_FAILED(Reason.GARBAGE),
        /** The encryption counter did not increase: a replayed advertisement. */
        REPLAYED(Reason.GARBAGE);

        private final Reason reason;

        Problem(Reason reason) {
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    private final Problem problem;

    public BthomeException(Problem problem, String message) {
        super(problem.reason(), "BTHome " + problem.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
