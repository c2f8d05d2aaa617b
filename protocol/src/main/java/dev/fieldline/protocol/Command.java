package dev.fieldline.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A downlink command, e.g. {@code led {on: true}} or {@code interval {seconds: 5}}. The device
 * answers with a {@link CommandResult} carrying the same id.
 *
 * @param id unique per command, chosen by the gateway (1-64 characters)
 * @param name what to do (a SenML-style name)
 */
public record Command(String id, String name, Map<String, Value> args, Instant issuedAt) {

    public Command {
        if (id == null || id.isEmpty() || id.length() > 64) {
            throw new IllegalArgumentException("id must be 1-64 characters, was '" + id + "'");
        }
        if (!dev.fieldline.protocol.internal.Names.isValid(name)) {
            throw new IllegalArgumentException("name '" + name + "' must start with a letter or digit and use only A-Z a-z 0-9 - : . / _");
        }
        if (issuedAt == null) {
            throw new IllegalArgumentException("issuedAt must not be null");
        }
        args = Map.copyOf(args);
    }
}
