package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.rules.RuleFiring;
import dev.fieldline.protocol.Severity;
import java.time.Instant;
import java.util.Map;

/** Rule firings for action tests. */
final class Firings {
    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private Firings() {
    }

    static RuleFiring firing(String device, double value, int second) {
        return new RuleFiring("hot", "Too hot", device, "temperature", value, "temperature > 75 for 30s", Severity.WARNING,
                T0.plusSeconds(second), T0.plusSeconds(second).plusMillis(5), Map.of("threshold", 75.0, "mean", 77.5));
    }
}
