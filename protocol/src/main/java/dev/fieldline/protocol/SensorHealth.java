package dev.fieldline.protocol;

import dev.fieldline.protocol.internal.Names;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * How one sensor of a device is doing, as its status reports it: working, or faulted since a time
 * for a reason (the HAL's: {@code absent}, {@code nack}, {@code timeout}, {@code garbage},
 * {@code stale}, {@code unsupported}, {@code io}) with the number of retries so far.
 *
 * @param name the sensor's name (its readings' SenML name or prefix)
 * @param state ok or faulted
 * @param reason why it is faulted, lower case; "" when ok
 * @param message what went wrong, for people; "" when ok
 * @param since when the sensor entered its state (the first failure, or the recovery)
 * @param retries reads retried since the fault began (0 when ok)
 */
public record SensorHealth(String name, State state, String reason, String message, Instant since, long retries) {
    /** Most sensors one status carries. */
    public static final int MAX_PER_STATUS = 64;

    /** A sensor's state. */
    public enum State {
        OK, FAULTED;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<State> fromCode(String code) {
            return switch (code) {
                case "ok" -> Optional.of(OK);
                case "faulted" -> Optional.of(FAULTED);
                default -> Optional.empty();
            };
        }
    }

    public SensorHealth {
        if (name == null || name.length() > 128 || !Names.isValid(name)) {
            throw new IllegalArgumentException("name must be 1-128 of A-Z a-z 0-9 - : . / _, starting with a letter or digit");
        }
        if (state == null || reason == null || message == null || since == null) {
            throw new IllegalArgumentException("state, reason, message and since must not be null");
        }
        if (!reason.matches("[a-z_]{0,32}")) {
            throw new IllegalArgumentException("reason must be 0-32 of a-z _, was '" + reason + "'");
        }
        if (message.length() > 4096) {
            throw new IllegalArgumentException("message must be at most 4096 characters");
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, was " + retries);
        }
    }

    /** A working sensor. */
    public static SensorHealth ok(String name, Instant since) {
        return new SensorHealth(name, State.OK, "", "", since, 0);
    }
}
