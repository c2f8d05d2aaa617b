package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.cloud.CloudForward;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.TelemetryStore;
import java.util.List;
import java.util.Optional;

/**
 * Puts a {@link GatewayActions} together. Every action type is always known; {@code forward} is
 * refused at validation until {@link #cloud} gives it an uplink.
 */
public final class GatewayActionsBuilder {
    private final TelemetryStore store;
    private final DefaultDownlink downlink;
    private final Metrics metrics;
    private WebhookConfig webhooks = WebhookConfig.DEFAULTS;
    private Optional<CloudForward> cloud = Optional.empty();

    GatewayActionsBuilder(TelemetryStore store, DefaultDownlink downlink, Metrics metrics) {
        this.store = store;
        this.downlink = downlink;
        this.metrics = metrics;
    }

    /** How webhooks are delivered (default {@link WebhookConfig#DEFAULTS}). */
    public GatewayActionsBuilder webhooks(WebhookConfig config) {
        this.webhooks = config;
        return this;
    }

    /** Where {@code forward} actions put their records: the cloud uplink's outbox. */
    public GatewayActionsBuilder cloud(CloudForward forward) {
        this.cloud = Optional.of(forward);
        return this;
    }

    public GatewayActions build() {
        return GatewayActions.of(metrics, List.of(new AlertAction(store, metrics), new CommandAction(downlink, metrics),
                new WebhookAction(webhooks, metrics), new ForwardAction(cloud)));
    }
}
