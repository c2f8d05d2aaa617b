package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.TelemetryStore;
import java.util.ArrayList;
import java.util.List;

/** Puts a {@link GatewayActions} together: the alert and command actions always, the others as configured. */
public final class GatewayActionsBuilder {
    private final TelemetryStore store;
    private final DefaultDownlink downlink;
    private final Metrics metrics;

    GatewayActionsBuilder(TelemetryStore store, DefaultDownlink downlink, Metrics metrics) {
        this.store = store;
        this.downlink = downlink;
        this.metrics = metrics;
    }

    public GatewayActions build() {
        List<Action> actions = new ArrayList<>();
        actions.add(new AlertAction(store, metrics));
        return GatewayActions.of(metrics, actions);
    }
}
