package dev.fieldline.federated;

import java.util.Arrays;
import java.util.List;

/**
 * Coordinate-wise median (Yin et al. 2018; Flower's FedMedian): each weight moves by the median of the
 * clients' deltas for that weight, unweighted by example counts; with an even number of updates, the mean
 * of the two middle values. Tolerates fewer than half of the updates being arbitrary. Not linear.
 */
public final class FedMedian implements Strategy {

    @Override
    public String name() {
        return "fedmedian";
    }

    @Override
    public boolean linear() {
        return false;
    }

    @Override
    public float[] aggregate(int round, float[] global, List<ClientUpdate> updates) {
        return Coordinatewise.apply(global, updates, column -> {
            Arrays.sort(column);
            int n = column.length;
            return n % 2 == 1 ? column[n / 2] : ((double) column[n / 2 - 1] + column[n / 2]) / 2;
        });
    }
}
