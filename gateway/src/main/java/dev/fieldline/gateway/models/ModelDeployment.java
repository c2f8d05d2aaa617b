package dev.fieldline.gateway.models;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one device did with one offered model version.
 *
 * @param deviceId the device
 * @param name the model
 * @param version the offered version
 * @param state where the offer stands
 * @param reason the device's reason code when it refused or rolled back ({@code bad_signature}, {@code self_test_failed}, ...)
 * @param message the device's words
 * @param running the version the device runs after it (0: the board profile's own model), once it reported
 * @param commandId the offer's command id
 * @param updatedAt when the state last changed
 */
public record ModelDeployment(String deviceId, String name, long version, State state, Optional<String> reason,
        Optional<String> message, OptionalLong running, Optional<String> commandId, Instant updatedAt) {

    /** Where an offer stands. */
    public enum State {
        /** Offered (the command is pending or delivered), no answer yet. */
        OFFERED,
        /** Verified, self-tested and in use. */
        INSTALLED,
        /** Refused before it was used: signature, hash, size, download, incompatible. */
        REFUSED,
        /** Taken in, failed its self-test; the previous model stays in use. */
        ROLLED_BACK,
        /** Reported in use by a device after a restart. */
        ACTIVE;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The state for a device's outcome word; empty for an unknown word. */
        public static Optional<State> ofOutcome(String outcome) {
            for (State s : values()) {
                if (s != OFFERED && s.code().equals(outcome)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }
}
