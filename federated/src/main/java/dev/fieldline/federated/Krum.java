package dev.fieldline.federated;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Krum and Multi-Krum (Blanchard et al. 2017), tolerating {@code f} Byzantine updates out of {@code n}.
 * Each update's score is the sum of the squared L2 distances from its delta to its {@code n − f − 2}
 * nearest other deltas; Krum moves the global weights by the delta with the lowest score, Multi-Krum by the
 * <em>example-weighted</em> mean of the {@code m} lowest-scoring deltas (as Flower does; with equal example
 * counts this is the paper's plain mean). Equal scores are broken by client id, so the result does not depend
 * on the order of the updates. Needs {@code n > 2f + 2} and {@code m ≤ n − f} at aggregation time, else
 * {@link AggregationException}. Not linear.
 */
public final class Krum implements Strategy {
    private final int f;
    private final int m;
    private final boolean multi;

    /** Krum: the single best update. */
    public static Krum krum(int f) {
        return new Krum(f, 1, false);
    }

    /**
     * Multi-Krum.
     *
     * @param m how many of the best updates to average; 0 means {@code n − f} in each round
     */
    public static Krum multiKrum(int f, int m) {
        return new Krum(f, m, true);
    }

    private Krum(int f, int m, boolean multi) {
        if (f < 0) {
            throw new IllegalArgumentException("f must be >= 0, was " + f);
        }
        if (m < 0) {
            throw new IllegalArgumentException("m must be >= 0, was " + m);
        }
        this.f = f;
        this.m = m;
        this.multi = multi;
    }

    public int f() {
        return f;
    }

    @Override
    public String name() {
        return multi ? "multikrum" : "krum";
    }

    @Override
    public boolean linear() {
        return false;
    }

    /** How many updates are averaged with {@code n} updates. */
    public int selected(int n) {
        return m == 0 ? n - f : m;
    }

    @Override
    public float[] aggregate(int round, float[] global, List<ClientUpdate> updates) {
        List<ClientUpdate> best = select(updates);
        float[] delta = best.size() == 1 ? best.get(0).delta() : Strategy.weightedMean(best);
        float[] next = new float[global.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = global[i] + delta[i];
        }
        return next;
    }

    /** The updates Krum keeps, best (lowest score) first. */
    public List<ClientUpdate> select(List<ClientUpdate> updates) {
        int n = updates.size();
        if (n <= 2L * f + 2) {
            throw new AggregationException(name() + " with f=" + f + " needs more than 2f+2 = " + (2L * f + 2)
                    + " updates, got " + n);
        }
        int keep = selected(n);
        if (keep < 1 || keep > n - f) { // n > 2f + 2, so n − f does not overflow
            throw new AggregationException(name() + " with f=" + f + " can average 1..n-f = " + (n - f)
                    + " of " + n + " updates, m is " + keep);
        }
        int dim = updates.get(0).delta().length;
        for (ClientUpdate u : updates) {
            if (u.delta().length != dim) {
                throw new IllegalArgumentException("update of " + u.clientId() + " has " + u.delta().length
                        + " values, expected " + dim);
            }
        }
        double[][] dist = new double[n][n];
        for (int a = 0; a < n; a++) {
            float[] x = updates.get(a).delta();
            for (int b = a + 1; b < n; b++) {
                float[] y = updates.get(b).delta();
                double s = 0;
                for (int i = 0; i < dim; i++) {
                    double d = (double) x[i] - y[i];
                    s += d * d;
                }
                dist[a][b] = s;
                dist[b][a] = s;
            }
        }
        int nearest = n - f - 2;
        double[] score = new double[n];
        double[] others = new double[n - 1];
        for (int a = 0; a < n; a++) {
            int k = 0;
            for (int b = 0; b < n; b++) {
                if (b != a) {
                    others[k++] = dist[a][b];
                }
            }
            Arrays.sort(others);
            double s = 0;
            for (int i = 0; i < nearest; i++) {
                s += others[i];
            }
            score[a] = s;
        }
        List<Integer> order = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            order.add(a);
        }
        order.sort(Comparator.<Integer>comparingDouble(a -> score[a]).thenComparing(a -> updates.get(a).clientId()));
        List<ClientUpdate> best = new ArrayList<>(keep);
        for (int i = 0; i < keep; i++) {
            best.add(updates.get(order.get(i)));
        }
        return best;
    }
}
