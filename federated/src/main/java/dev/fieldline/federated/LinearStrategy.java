package dev.fieldline.federated;

import java.util.List;

/**
 * A strategy that depends on the updates only through their example-weighted mean: it implements
 * {@link #applyMean}, and {@link #aggregate} is that of {@link Strategy#weightedMean}. Works with secure
 * aggregation and differential privacy.
 */
public interface LinearStrategy extends Strategy {

    @Override
    default boolean linear() {
        return true;
    }

    @Override
    default float[] aggregate(int round, float[] global, List<ClientUpdate> updates) {
        return applyMean(round, global, Strategy.weightedMean(updates));
    }

    @Override
    float[] applyMean(int round, float[] global, float[] meanDelta);
}
