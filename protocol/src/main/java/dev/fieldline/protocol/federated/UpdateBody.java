package dev.fieldline.protocol.federated;

import java.util.Arrays;
import java.util.Map;

/**
 * The content of a device's update for a round, the bytes that {@link FlMessage.UpdateChunk}s carry:
 * the weight delta (local minus global, in the model's flat layout, float32 little-endian on the
 * wire), the number of local examples trained on, and local metrics ({@code loss}, {@code accuracy}).
 */
public record UpdateBody(int round, long examples, Map<String, Double> metrics, float[] delta) {
    public UpdateBody {
        if (round < 1) {
            throw new IllegalArgumentException("round must be >= 1, was " + round);
        }
        if (examples < 0) {
            throw new IllegalArgumentException("examples must be >= 0, was " + examples);
        }
        metrics = Map.copyOf(metrics);
        delta = delta.clone();
    }

    @Override
    public float[] delta() {
        return delta.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UpdateBody b && round == b.round && examples == b.examples && metrics.equals(b.metrics)
                && Arrays.equals(delta, b.delta);
    }

    @Override
    public int hashCode() {
        return (round * 31 + Long.hashCode(examples)) * 31 + Arrays.hashCode(delta);
    }

    @Override
    public String toString() {
        return "UpdateBody[round=" + round + ", examples=" + examples + ", metrics=" + metrics + ", " + delta.length
                + " values]";
    }
}
