package dev.fieldline.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Severity;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreAlertLifecycleTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final String KEY = "hot/dev-1/temperature";

    @TempDir
    Path dir;
    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Alert alert(double value, int second) {
        return new Alert("dev-1", "hot", "temperature", value, 75, Severity.WARNING, "hot", T0.plusSeconds(second),
                T0.plusSeconds(second));
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    private static StoreException.Reason refusal(CompletableFuture<?> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return ((StoreException) e.getCause()).reason();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the store accepted it");
    }

    @Test
    void repeatedFiringsBumpTheUnresolvedAlertInsteadOfAddingRows() throws Exception {
        AlertRecord first = get(store.raise(alert(80, 0), KEY));
        AlertRecord second = get(store.raise(alert(81, 5), KEY));
        AlertRecord third = get(store.raise(alert(82, 9), KEY));
        assertThat(first.count()).isEqualTo(1);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(third.count()).isEqualTo(3);
        assertThat(third.lastSeen()).isEqualTo(T0.plusSeconds(9));
        assertThat(third.alert().value()).as("the alert keeps what raised it").isEqualTo(80);
        assertThat(third.dedupKey()).contains(KEY);
        assertThat(store.alerts(new AlertQuery(Optional.empty(), Optional.empty(), 100))).hasSize(1);
        assertThat(get(store.raise(alert(90, 10), "hot/dev-1/humidity")).id()).as("another key, another alert")
                .isNotEqualTo(first.id());
    }

    @Test
    void anAcknowledgedAlertStillAbsorbsFiringsAndAResolvedOneDoesNot() throws Exception {
        AlertRecord raised = get(store.raise(alert(80, 0), KEY));
        AlertRecord acked = get(store.acknowledge(raised.id(), T0.plusSeconds(1), "token:ops", Optional.of("looking")));
        assertThat(acked.state()).isEqualTo(AlertState.ACKNOWLEDGED);
        assertThat(acked.acknowledged()).contains(new AlertRecord.Change(T0.plusSeconds(1), "token:ops"));
        assertThat(acked.note()).contains("looking");
        assertThat(get(store.raise(alert(85, 2), KEY))).satisfies(r -> {
            assertThat(r.id()).isEqualTo(raised.id());
            assertThat(r.count()).isEqualTo(2);
            assertThat(r.state()).isEqualTo(AlertState.ACKNOWLEDGED);
        });

        Optional<AlertRecord> resolved = get(store.resolveUnresolved(KEY, T0.plusSeconds(3), "rule"));
        assertThat(resolved).get().satisfies(r -> {
            assertThat(r.state()).isEqualTo(AlertState.RESOLVED);
            assertThat(r.resolved()).contains(new AlertRecord.Change(T0.plusSeconds(3), "rule"));
            assertThat(r.note()).as("a resolve without a note keeps the earlier one").contains("looking");
        });
        assertThat(get(store.resolveUnresolved(KEY, T0.plusSeconds(4), "rule"))).as("nothing left to resolve").isEmpty();

        AlertRecord again = get(store.raise(alert(90, 5), KEY));
        assertThat(again.id()).as("a firing after the resolve raises a new alert").isNotEqualTo(raised.id());
        assertThat(again.count()).isEqualTo(1);
        assertThat(store.alerts(new AlertQuery(Optional.of("dev-1"), Optional.of(AlertState.RESOLVED), 10)))
                .extracting(AlertRecord::id).containsExactly(raised.id());
    }

    @Test
    void illegalTransitionsAreConflictsAndChangeNothing() throws Exception {
        AlertRecord raised = get(store.raise(alert(80, 0), KEY));
        get(store.acknowledge(raised.id(), T0.plusSeconds(1), "anonymous", Optional.empty()));
        assertThat(refusal(store.acknowledge(raised.id(), T0.plusSeconds(2), "anonymous", Optional.of("again"))))
                .isEqualTo(StoreException.Reason.CONFLICT);
        get(store.resolve(raised.id(), T0.plusSeconds(3), "token:ops", Optional.of("fan replaced")));
        assertThat(refusal(store.resolve(raised.id(), T0.plusSeconds(4), "anonymous", Optional.empty())))
                .isEqualTo(StoreException.Reason.CONFLICT);
        assertThat(refusal(store.acknowledge(raised.id(), T0.plusSeconds(4), "anonymous", Optional.empty())))
                .isEqualTo(StoreException.Reason.CONFLICT);
        assertThat(refusal(store.resolve(raised.id() + 100, T0, "anonymous", Optional.empty())))
                .isEqualTo(StoreException.Reason.NOT_FOUND);
        assertThatThrownBy(() -> get(store.resolve(raised.id(), T0, "x", Optional.empty())))
                .hasMessageContaining("is resolved").hasMessageContaining("only open or acknowledged alerts can become resolved");

        AlertRecord stored = store.alert(raised.id()).orElseThrow();
        assertThat(stored.state()).isEqualTo(AlertState.RESOLVED);
        assertThat(stored.acknowledged()).contains(new AlertRecord.Change(T0.plusSeconds(1), "anonymous"));
        assertThat(stored.resolved()).contains(new AlertRecord.Change(T0.plusSeconds(3), "token:ops"));
        assertThat(stored.note()).contains("fan replaced");
    }

    @Test
    void anOpenAlertCanBeResolvedWithoutAcknowledgingAndUndeduplicatedAlertsStillWork() throws Exception {
        AlertRecord plain = get(store.raise(alert(80, 0)));
        AlertRecord plain2 = get(store.raise(alert(80, 0)));
        assertThat(plain2.id()).as("alerts without a key are never merged").isNotEqualTo(plain.id());
        assertThat(plain.dedupKey()).isEmpty();
        assertThat(get(store.resolve(plain.id(), T0.plusSeconds(1), "anonymous", Optional.empty())).state())
                .isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void labelsAreReplacedWholeCachedAndSurviveAReopen() throws Exception {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("site", "north");
        labels.put("floor", "2");
        assertThat(get(store.replaceLabels("dev-1", labels, T0))).containsExactly(Map.entry("floor", "2"), Map.entry("site", "north"));
        assertThat(store.labels("dev-1")).containsExactly(Map.entry("floor", "2"), Map.entry("site", "north"));
        get(store.replaceLabels("dev-1", Map.of("site", "south"), T0));
        assertThat(store.labels("dev-1")).containsExactly(Map.entry("site", "south"));
        assertThat(store.labels("dev-2")).isEmpty();
        store.close();
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), new Metrics());
        assertThat(store.labels("dev-1")).containsExactly(Map.entry("site", "south"));
        get(store.replaceLabels("dev-1", Map.of(), T0));
        assertThat(store.labels("dev-1")).isEmpty();
    }

    @Test
    void badLabelsAreRefusedNamingTheLabel() {
        assertThatThrownBy(() -> store.replaceLabels("dev-1", Map.of("-x", "1"), T0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label name '-x' is not valid");
        assertThatThrownBy(() -> store.replaceLabels("dev-1", Map.of("x".repeat(64), "1"), T0))
                .hasMessageContaining("a label name of 64 characters");
        assertThatThrownBy(() -> store.replaceLabels("dev-1", Map.of("site", "n".repeat(129)), T0))
                .hasMessageContaining("label 'site' is 129 characters long; the limit is 128");
        assertThatThrownBy(() -> store.replaceLabels("dev-1", Map.of("site", "a\nb"), T0))
                .hasMessageContaining("control character");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 33; i++) {
            many.put("l" + i, "v");
        }
        assertThatThrownBy(() -> store.replaceLabels("dev-1", many, T0)).hasMessageContaining("at most 32 labels, got 33");
        assertThatThrownBy(() -> store.replaceLabels("bad id", Map.of(), T0)).hasMessageContaining("deviceId");
    }
}
