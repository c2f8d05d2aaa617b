package dev.fieldline.gateway.actions;

import static dev.fieldline.gateway.actions.Firings.firing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.rules.ActionSpec;
import dev.fieldline.gateway.store.AlertQuery;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DecodeLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AlertActionTest {
    @TempDir
    Path dir;
    private SqliteStore store;
    private Metrics metrics;
    private GatewayActions actions;

    @BeforeEach
    void open() {
        metrics = new Metrics();
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        actions = GatewayActions.builder(store, new DefaultDownlink(store, metrics, DecodeLimits.DEFAULT, Clock.systemUTC()), metrics)
                .build();
    }

    @AfterEach
    void close() {
        actions.close();
        store.close();
    }

    private List<AlertRecord> alerts() {
        return store.alerts(new AlertQuery(Optional.of("dev-1"), Optional.empty(), 100));
    }

    @Test
    void firingsOfOneStreamMakeOneAlertThatTheClearingResolves() {
        List<ActionSpec> spec = List.of(new ActionSpec("alert", Map.of("message", "{rule} on {device}: {value} (mean {details.mean})")));
        for (int i = 0; i < 3; i++) {
            actions.fired(spec, firing("dev-1", 80 + i, i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !alerts().isEmpty() && alerts().get(0).count() == 3);
        AlertRecord a = alerts().get(0);
        assertThat(alerts()).hasSize(1);
        assertThat(a.alert().rule()).isEqualTo("hot");
        assertThat(a.alert().message()).isEqualTo("Too hot on dev-1: 80 (mean 77.5)");
        assertThat(a.alert().threshold()).isEqualTo(75);
        assertThat(a.alert().readingTime()).isEqualTo(Firings.T0);
        assertThat(a.dedupKey()).contains("hot/dev-1/temperature");
        assertThat(metrics.get("alerts_raised_total", "rule", "hot", "severity", "warning")).isEqualTo(1);
        assertThat(metrics.get("alerts_repeated_total", "rule", "hot")).isEqualTo(2);

        actions.cleared(spec, firing("dev-1", 70, 10));
        await().atMost(Duration.ofSeconds(5)).until(() -> alerts().get(0).state() == AlertState.RESOLVED);
        assertThat(alerts().get(0).resolved()).get().extracting(AlertRecord.Change::by).isEqualTo("rule");

        actions.fired(spec, firing("dev-1", 85, 20));
        await().atMost(Duration.ofSeconds(5)).until(() -> alerts().size() == 2);
        assertThat(alerts().get(0).state()).isEqualTo(AlertState.OPEN);
        assertThat(metrics.get("rule_failed_total", "rule", "hot")).isZero();
    }

    @Test
    void manualAlertsStayOpenWhenTheConditionClearsAndSeverityCanBeOverridden() throws Exception {
        List<ActionSpec> spec = List.of(new ActionSpec("alert", Map.of("resolve", "manual", "severity", "critical")));
        actions.fired(spec, firing("dev-1", 80, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> alerts().size() == 1);
        actions.cleared(spec, firing("dev-1", 70, 5));
        actions.fired(List.of(new ActionSpec("alert", Map.of())), firing("dev-2", 80, 6)); // a marker: the clear was handled before it
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.total("alerts_raised_total") == 2);
        assertThat(alerts().get(0).state()).isEqualTo(AlertState.OPEN);
        assertThat(alerts().get(0).alert().severity().code()).isEqualTo("critical");
        assertThat(alerts().get(0).alert().message()).isEqualTo("Too hot: temperature > 75 for 30s (temperature = 80 on dev-1)");
        assertThat(metrics.get("alerts_raised_total", "rule", "hot", "severity", "critical")).isEqualTo(1);
    }

    @Test
    void badSettingsAreReportedPerSettingAndAFailedRunIsCounted() {
        assertThat(actions.types()).contains("alert");
        assertThat(actions.validate(new ActionSpec("alert", Map.of()))).isEmpty();
        assertThat(actions.validate(new ActionSpec("alert", Map.of("severity", "fatal", "resolve", "never",
                "message", "{nope} {", "colour", "red")))).containsExactlyInAnyOrder(
                "alert.colour is not a setting of alert actions (known: message, resolve, severity)",
                "alert.severity must be one of info, warning, critical, was 'fatal'",
                "alert.resolve must be one of auto, manual, was 'never'",
                "alert.message has an unknown placeholder {nope} (known: {rule}, {ruleId}, {device}, {metric}, {value}, "
                        + "{condition}, {severity}, {time}, {details.NAME})",
                "alert.message has a brace outside a placeholder");
        assertThat(actions.validate(new ActionSpec("page", Map.of()))).singleElement().asString()
                .startsWith("unknown action type 'page' (known: alert");

        actions.fired(List.of(new ActionSpec("alert", Map.of("severity", 3))), firing("dev-1", 80, 0));
        assertThat(metrics.get("rule_failed_total", "rule", "hot")).isEqualTo(1);
        assertThat(metrics.get("actions_failed_total", "type", "alert")).isEqualTo(1);
        store.close();
        actions.fired(List.of(new ActionSpec("alert", Map.of())), firing("dev-1", 80, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> metrics.get("rule_failed_total", "rule", "hot") == 2);
    }
}
