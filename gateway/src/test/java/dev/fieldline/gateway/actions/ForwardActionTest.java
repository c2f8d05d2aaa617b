package dev.fieldline.gateway.actions;

import static dev.fieldline.gateway.actions.Firings.firing;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.cloud.CloudRecord;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.ActionSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ForwardActionTest {
    private final Metrics metrics = new Metrics();
    private final List<CloudRecord> outbox = new CopyOnWriteArrayList<>();
    private volatile boolean full;

    private GatewayActions actions(boolean withCloud) {
        return GatewayActions.of(metrics, List.of(new ForwardAction(withCloud ? Optional.of(r -> !full && outbox.add(r))
                : Optional.empty())));
    }

    @Test
    void withoutACloudUplinkForwardIsRefusedWhenTheRuleIsLoaded() {
        assertThat(actions(false).validate(new ActionSpec("forward", Map.of())))
                .containsExactly("forward: no cloud uplink configured (see --cloud)");
    }

    @Test
    void aFiringBecomesACloudRecordWithAStableIdAndAFullOutboxFailsTheAction() {
        GatewayActions a = actions(true);
        assertThat(a.validate(new ActionSpec("forward", Map.of("kind", "insight")))).isEmpty();
        assertThat(a.validate(new ActionSpec("forward", Map.of("kind", "Bad Kind"))))
                .containsExactly("forward.kind must be 1-32 of a-z 0-9 _ starting with a letter, was 'Bad Kind'");
        a.fired(List.of(new ActionSpec("forward", Map.of())), firing("dev-1", 80, 0));
        a.fired(List.of(new ActionSpec("forward", Map.of("kind", "insight"))), firing("dev-1", 80, 0));
        assertThat(outbox).hasSize(2);
        CloudRecord r = outbox.get(0);
        assertThat(r.kind()).isEqualTo("alert");
        assertThat(r.id()).isEqualTo("hot/dev-1/temperature/2026-11-21T10:00:00Z").isEqualTo(outbox.get(1).id());
        assertThat(r.deviceId()).isEqualTo("dev-1");
        assertThat(r.time()).isEqualTo(Firings.T0);
        assertThat(r.body()).containsEntry("value", 80.0).containsEntry("rule", "Too hot").containsEntry("condition",
                "temperature > 75 for 30s");
        assertThat(outbox.get(1).kind()).isEqualTo("insight");

        full = true;
        a.fired(List.of(new ActionSpec("forward", Map.of())), firing("dev-1", 81, 1));
        assertThat(metrics.get("rule_failed_total", "rule", "hot")).isEqualTo(1);
        assertThat(metrics.get("actions_failed_total", "type", "forward")).isEqualTo(1);
    }
}
