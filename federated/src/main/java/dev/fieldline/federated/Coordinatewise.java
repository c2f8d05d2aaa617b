package dev.fieldline.federated;

import java.util.List;

/** The loop shared by the coordinate-wise robust strategies: one statistic of the clients' deltas per weight. */
final class Coordinatewise {

    /** A statistic of one weight's deltas (the array is scratch space the statistic may reorder). */
    @FunctionalInterface
    interface Statistic {
        double of(float[] column);
    }

    private Coordinatewise() {
    }

    static float[] apply(float[] global, List<ClientUpdate> updates, Statistic statistic) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("no updates");
        }
        int n = global.length;
        for (ClientUpdate u : updates) {
            if (u.delta().length != n) {
                throw new IllegalArgumentException("update of " + u.clientId() + " has " + u.delta().length
                        + " values, expected " + n);
            }
        }
        float[] column = new float[updates.size()];
        float[] next = new float[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < column.length; c++) {
                column[c] = updates.get(c).delta()[i];
            }
            next[i] = (float) (global[i] + statistic.of(column));
        }
        return next;
    }
}
