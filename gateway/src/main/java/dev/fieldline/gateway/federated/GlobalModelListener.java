package dev.fieldline.gateway.federated;

import dev.fieldline.federated.WeightLayout;
import java.util.Map;

/**
 * Told about every new global model (after each aggregated round), on the round service's thread:
 * the hook through which model delivery exports, signs and offers the model to devices. Keep it
 * short or hand off.
 */
@FunctionalInterface
public interface GlobalModelListener {

    /**
     * @param model the model's name ({@code mlp}, {@code cnn})
     * @param version the new global version
     * @param round the round that produced it
     * @param layout names and shapes of the parameters
     * @param weights the flat weights (a copy, the listener may keep it)
     * @param metrics the round's metrics: clients' example-weighted {@code loss}/{@code accuracy}, and
     *     {@code global_accuracy} when the gateway evaluates on held-out data
     */
    void aggregated(String model, int version, int round, WeightLayout layout, float[] weights, Map<String, Double> metrics);
}
