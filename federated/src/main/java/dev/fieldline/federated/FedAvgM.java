package dev.fieldline.federated;

import java.util.Map;

/**
 * FedAvg with server momentum (Hsu et al. 2019, "FedAvgM"): with the example-weighted mean delta Δ of the
 * round, {@code v ← β·v + Δ} and {@code w ← w + η·v} ({@code v} starts at zero, so the first round is
 * FedAvg with server learning rate η). The momentum buffer is the strategy's state.
 */
public final class FedAvgM implements LinearStrategy {
    private final float serverLearningRate;
    private final float momentum;
    private float[] velocity;

    public FedAvgM(float serverLearningRate, float momentum) {
        if (!(serverLearningRate > 0) || !Float.isFinite(serverLearningRate)) {
            throw new IllegalArgumentException("server learning rate must be positive, was " + serverLearningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("server momentum must be in [0, 1), was " + momentum);
        }
        this.serverLearningRate = serverLearningRate;
        this.momentum = momentum;
    }

    @Override
    public String name() {
        return "fedavgm";
    }

    @Override
    public float[] applyMean(int round, float[] global, float[] meanDelta) {
        if (velocity == null) {
            velocity = new float[global.length];
        }
        ServerState.requireLength(name(), "momentum", velocity, global.length);
        float[] next = new float[global.length];
        for (int i = 0; i < next.length; i++) {
            velocity[i] = momentum * velocity[i] + meanDelta[i];
            next[i] = global[i] + serverLearningRate * velocity[i];
        }
        return next;
    }

    @Override
    public Map<String, float[]> state() {
        return velocity == null ? Map.of() : Map.of("momentum", velocity.clone());
    }

    @Override
    public void restore(Map<String, float[]> state) {
        float[] v = state.get("momentum");
        velocity = v == null ? null : v.clone();
    }
}
