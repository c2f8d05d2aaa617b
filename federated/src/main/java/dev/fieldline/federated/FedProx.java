package dev.fieldline.federated;

import java.util.List;
import java.util.Map;

/**
 * FedProx (Li et al. 2020): the clients add the proximal term {@code μ/2·‖w − w_global‖²} to their local
 * loss (sent as the client setting {@code proximal_mu}, which {@link RoundCoordinator} merges into the
 * {@link TrainingPlan} and {@link LocalTrainer} applies); the server aggregates as {@link FedAvg}.
 */
public final class FedProx implements Strategy {
    private final double mu;

    public FedProx(double mu) {
        if (!(mu >= 0) || !Double.isFinite(mu)) {
            throw new IllegalArgumentException("proximal mu must be >= 0, was " + mu);
        }
        this.mu = mu;
    }

    public double mu() {
        return mu;
    }

    @Override
    public String name() {
        return "fedprox";
    }

    @Override
    public Map<String, Double> clientSettings() {
        return Map.of("proximal_mu", mu);
    }

    @Override
    public boolean linear() {
        return true;
    }

    @Override
    public float[] aggregate(int round, float[] global, List<ClientUpdate> updates) {
        return applyMean(round, global, Strategy.weightedMean(updates));
    }

    @Override
    public float[] applyMean(int round, float[] global, float[] meanDelta) {
        float[] next = new float[global.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = global[i] + meanDelta[i];
        }
        return next;
    }
}
