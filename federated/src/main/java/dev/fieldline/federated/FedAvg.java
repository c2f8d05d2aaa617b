package dev.fieldline.federated;


/**
 * Federated averaging (McMahan et al. 2017): the global weights move by the example-weighted mean of
 * the clients' deltas, scaled by a server learning rate (1 = plain FedAvg).
 */
public final class FedAvg implements LinearStrategy {
    private final float serverLearningRate;

    public FedAvg() {
        this(1f);
    }

    public FedAvg(float serverLearningRate) {
        if (!(serverLearningRate > 0) || !Float.isFinite(serverLearningRate)) {
            throw new IllegalArgumentException("server learning rate must be positive, was " + serverLearningRate);
        }
        this.serverLearningRate = serverLearningRate;
    }

    @Override
    public String name() {
        return "fedavg";
    }

    @Override
    public float[] applyMean(int round, float[] global, float[] meanDelta) {
        float[] next = new float[global.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = global[i] + serverLearningRate * meanDelta[i];
        }
        return next;
    }
}
