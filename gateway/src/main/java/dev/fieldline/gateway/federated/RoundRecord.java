package dev.fieldline.gateway.federated;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A round as stored: who was sampled, who contributed, whose update was refused and why, the
 * example-weighted client metrics (and the global model's held-out accuracy when the gateway
 * evaluates), the outcome ({@code open}, {@code aggregated}, {@code abandoned}) and its times.
 *
 * @param versionFrom the global version the round trained from
 * @param version the global version after the round (empty while open)
 */
public record RoundRecord(int round, String outcome, int versionFrom, Optional<Integer> version, List<String> selected,
        List<String> contributors, Map<String, String> rejected, long examples, Map<String, Double> metrics,
        Map<String, Double> plan, String reason, Instant startedAt, Instant deadline, Optional<Instant> closedAt) {

    public static final String OPEN = "open";

    public RoundRecord {
        selected = List.copyOf(selected);
        contributors = List.copyOf(contributors);
        rejected = Map.copyOf(rejected);
        metrics = Map.copyOf(metrics);
        plan = Map.copyOf(plan);
    }
}
