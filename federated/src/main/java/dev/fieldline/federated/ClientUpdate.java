package dev.fieldline.federated;

import java.util.Map;

/**
 * What a client sends back after a round: the change of its weights (local minus the global weights
 * it started from), in the round's {@link WeightLayout}, the number of examples it trained on, and
 * its local metrics ({@code loss}, {@code accuracy}, ...).
 */
public record ClientUpdate(String clientId, float[] delta, long examples, Map<String, Double> metrics) {

    public ClientUpdate {
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty");
        }
        if (delta == null) {
            throw new IllegalArgumentException("delta must not be null");
        }
        metrics = Map.copyOf(metrics);
    }
}
