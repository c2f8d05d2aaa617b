package dev.fieldline.federated;

import java.util.Arrays;
import java.util.List;

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018; Flower's FedTrimmedAvg): for each weight, the clients'
 * deltas are sorted, ⌊β·n⌋ are dropped from each end, and the rest are averaged, unweighted by example
 * counts. β = 0 is the plain (unweighted) mean. Not linear.
 */
public final class FedTrimmedAvg implements Strategy {
    private final double beta;

    /** @param beta fraction cut from each end, in [0, 0.5) */
    public FedTrimmedAvg(double beta) {
        if (!(beta >= 0 && beta < 0.5)) {
            throw new IllegalArgumentException("beta must be in [0, 0.5), was " + beta);
        }
        this.beta = beta;
    }

    public double beta() {
        return beta;
    }

    @Override
    public String name() {
        return "fedtrimmedavg";
    }

    @Override
    public boolean linear() {
        return false;
    }

    /** How many values are cut from each end with {@code n} updates. */
    public int trimmed(int n) {
        return (int) Math.floor(beta * n + 1e-9);
    }

    @Override
    public float[] aggregate(int round, float[] global, List<ClientUpdate> updates) {
        int k = trimmed(updates.size());
        return Coordinatewise.apply(global, updates, column -> {
            Arrays.sort(column);
            double sum = 0;
            for (int i = k; i < column.length - k; i++) {
                sum += column[i];
            }
            return sum / (column.length - 2 * k);
        });
    }
}
