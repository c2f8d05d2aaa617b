package dev.fieldline.federated;

import java.util.Map;

/**
 * FedProx (Li et al. 2020): the clients add the proximal term {@code μ/2·‖w − w_global‖²} to their local
 * loss (sent as the client setting {@code proximal_mu}, which {@link RoundCoordinator} merges into the
 * {@link TrainingPlan} and {@link LocalTrainer} applies); the server aggregates as {@link FedAvg}.
 */
public final class FedProx implements LinearStrategy {
    private static final FedAvg SERVER = new FedAvg();
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
    public float[] applyMean(int round, float[] global, float[] meanDelta) {
        return SERVER.applyMean(round, global, meanDelta);
    }
}
