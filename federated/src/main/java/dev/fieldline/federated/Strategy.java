package dev.fieldline.federated;

import java.util.List;
import java.util.Map;

/**
 * How the server turns the clients' updates of a round into the next global weights. A strategy may
 * keep state across rounds (a server optimiser's moments); {@link #state()} and {@link #restore}
 * carry it through a restart.
 *
 * <p>A <em>linear</em> strategy depends on the updates only through their example-weighted mean
 * ({@link #applyMean}); secure aggregation and differential privacy, which give the server only a
 * (noisy) sum, work with those alone. Robust strategies (median, trimmed mean, Krum) need the
 * individual updates.
 */
public interface Strategy {

    /** The registry name, e.g. {@code fedavg}. */
    String name();

    /** Settings sent to the clients with each round, e.g. {@code proximal_mu} for FedProx. */
    default Map<String, Double> clientSettings() {
        return Map.of();
    }

    /** Whether {@link #aggregate} equals {@link #applyMean} of the example-weighted mean of the deltas. */
    boolean linear();

    /**
     * The next global weights from the current ones and the round's accepted updates (at least one,
     * all validated: right length, finite). Returns a new array; neither argument is changed.
     */
    float[] aggregate(int round, float[] global, List<ClientUpdate> updates);

    /**
     * For a linear strategy: the next global weights from the current ones and the mean delta (Σ nᵢΔᵢ / Σ nᵢ,
     * or DP's noisy mean). Returns a new array.
     */
    default float[] applyMean(int round, float[] global, float[] meanDelta) {
        throw new UnsupportedOperationException(name() + " is not linear: it needs the individual updates");
    }

    /** Server-side state to persist between rounds; empty for a stateless strategy. */
    default Map<String, float[]> state() {
        return Map.of();
    }

    /** Restores what {@link #state()} returned. */
    default void restore(Map<String, float[]> state) {
    }

    /** The example-weighted mean of the updates' deltas: Σ nᵢΔᵢ / Σ nᵢ, summed in double. */
    static float[] weightedMean(List<ClientUpdate> updates) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("no updates");
        }
        int n = updates.get(0).delta().length;
        double[] sum = new double[n];
        double total = 0;
        for (ClientUpdate u : updates) {
            if (u.delta().length != n) {
                throw new IllegalArgumentException("update of " + u.clientId() + " has " + u.delta().length
                        + " values, expected " + n);
            }
            double w = u.examples();
            total += w;
            float[] d = u.delta();
            for (int i = 0; i < n; i++) {
                sum[i] += w * d[i];
            }
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the updates hold no examples");
        }
        float[] mean = new float[n];
        for (int i = 0; i < n; i++) {
            mean[i] = (float) (sum[i] / total);
        }
        return mean;
    }
}
