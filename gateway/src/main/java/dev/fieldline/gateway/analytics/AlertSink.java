package dev.fieldline.gateway.analytics;

import java.util.concurrent.CompletableFuture;

/** Where rules put the alerts they raise (the store). Must not block. */
public interface AlertSink {
    /** Records the alert; completes with its stored form, or exceptionally if it could not be kept. */
    CompletableFuture<AlertRecord> raise(Alert alert);
}
