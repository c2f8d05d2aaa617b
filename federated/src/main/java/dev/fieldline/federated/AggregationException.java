package dev.fieldline.federated;

/**
 * A strategy cannot aggregate this round's updates as configured, e.g. Krum with too few updates for its
 * assumed number of Byzantine clients. {@link RoundCoordinator#close()} abandons the round with this
 * message; the global weights stay as they were.
 */
public final class AggregationException extends RuntimeException {

    public AggregationException(String message) {
        super(message);
    }
}
