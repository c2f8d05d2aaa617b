package dev.fieldline.gateway.analytics;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An alert sink for rule tests: keeps every alert raised, in order, and stores each at once as open. */
final class RecordingAlertSink implements AlertSink {
    private final List<Alert> raised = new ArrayList<>();

    @Override
    public CompletableFuture<AlertRecord> raise(Alert alert) {
        raised.add(alert);
        return CompletableFuture.completedFuture(new AlertRecord(raised.size(), alert, AlertState.OPEN));
    }

    List<Alert> raised() {
        return raised;
    }
}
