package dev.fieldline.federated;

/** Checks shared by the strategies that keep per-weight server state. */
final class ServerState {

    private ServerState() {
    }

    /** A restored buffer must fit the model it is applied to. */
    static void requireLength(String strategy, String key, float[] buffer, int expected) {
        if (buffer.length != expected) {
            throw new AggregationException(strategy + ": restored state '" + key + "' holds " + buffer.length
                    + " values, the model " + expected);
        }
    }
}
