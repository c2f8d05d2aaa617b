package dev.fieldline.federated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoundCoordinatorTest {
    private static final WeightLayout LAYOUT = new WeightLayout(List.of("w"), List.of(new int[] {3}));
    private static final Instant T0 = Instant.parse("2026-11-21T12:00:00Z");

    private static RoundCoordinator coordinator(double fraction, int minClients, int minUpdates) {
        return new RoundCoordinator(new RoundCoordinator.Config(fraction, minClients, minUpdates, Duration.ofSeconds(60),
                TrainingPlan.DEFAULT, 7), new FedAvg(), new UpdateValidator(LAYOUT, 100, 1000), new float[] {1, 2, 3});
    }

    private static List<String> clients(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(String.format("c%03d", i));
        }
        return ids;
    }

    private static ClientUpdate update(String id, long examples, float... delta) {
        return new ClientUpdate(id, delta, examples, Map.of("loss", (double) examples));
    }

    @Test
    void samplesTheFractionWithAMinimumAndNeedsEnoughClients() {
        RoundCoordinator c = coordinator(0.1, 3, 2);
        assertThat(c.start(clients(2), T0)).isNull();
        RoundCoordinator.RoundPlan plan = c.start(clients(100), T0);
        assertThat(plan.selected()).hasSize(10).doesNotHaveDuplicates().isSorted();
        assertThat(plan.round()).isEqualTo(1);
        c.abandon("test");
        assertThat(c.start(clients(10), T0).selected()).hasSize(3);
        c.abandon("test");
        // the same seed and round sample the same clients
        RoundCoordinator again = coordinator(0.1, 3, 2);
        assertThat(again.start(clients(100), T0).selected()).isEqualTo(plan.selected());
    }

    @Test
    void eachRoundGivesTheClientsANewShufflingSeed() {
        RoundCoordinator c = coordinator(1, 1, 1);
        long first = c.start(clients(3), T0).plan().seed();
        c.abandon("test");
        long second = c.start(clients(3), T0).plan().seed();
        assertThat(second).isNotEqualTo(first);
        assertThat(coordinator(1, 1, 1).start(clients(3), T0).plan().seed()).isEqualTo(first);
    }

    @Test
    void aggregatesTheExampleWeightedMeanAndAdvancesTheVersion() {
        RoundCoordinator c = coordinator(1, 2, 2);
        RoundCoordinator.RoundPlan plan = c.start(List.of("a", "b"), T0);
        assertThat(c.submit(plan.round(), update("a", 1, 1, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.ACCEPTED);
        assertThat(c.submit(plan.round(), update("a", 1, 1, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.DUPLICATE);
        assertThat(c.submit(plan.round(), update("b", 3, 0, 4, 0), T0)).isEqualTo(RoundCoordinator.Submission.ACCEPTED);
        assertThat(c.allAnswered()).isTrue();
        RoundCoordinator.RoundResult r = c.close();
        assertThat(r.outcome()).isEqualTo(RoundCoordinator.Outcome.AGGREGATED);
        assertThat(r.version()).isEqualTo(1);
        assertThat(r.examples()).isEqualTo(4);
        assertThat(r.metrics().get("loss")).isEqualTo((1 * 1 + 3 * 3) / 4.0);
        assertThat(c.global()).containsExactly(1.25f, 5f, 3f);
    }

    @Test
    void refusesBadUpdatesCountsThemAndAbandonsBelowTheMinimum() {
        RoundCoordinator c = coordinator(1, 3, 2);
        RoundCoordinator.RoundPlan plan = c.start(List.of("a", "b", "c", "d"), T0);
        int r = plan.round();
        assertThat(c.submit(r, update("zz", 1, 0, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.NOT_SELECTED);
        String[] s = plan.selected().toArray(String[]::new);
        assertThat(c.submit(r, update(s[0], 1, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.REJECTED);
        assertThat(c.submit(r, update(s[1], 1, Float.NaN, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.REJECTED);
        assertThat(c.submit(r, update(s[2], 1, 1000, 0, 0), T0.plusSeconds(61)))
                .isEqualTo(RoundCoordinator.Submission.LATE);
        assertThat(c.rejectedTotal()).containsEntry(UpdateRejected.Reason.SHAPE, 1L)
                .containsEntry(UpdateRejected.Reason.NON_FINITE, 1L);
        assertThat(c.pastDeadline(T0.plusSeconds(61))).isTrue();
        RoundCoordinator.RoundResult result = c.close();
        assertThat(result.outcome()).isEqualTo(RoundCoordinator.Outcome.ABANDONED);
        assertThat(result.reason()).contains("fewer than the minimum of 2");
        assertThat(result.rejected()).containsEntry(s[0], "shape").containsEntry(s[1], "non_finite");
        assertThat(c.version()).isZero();
        assertThat(c.global()).containsExactly(1f, 2f, 3f);
        assertThat(c.submit(r, update(s[2], 1, 0, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.NO_ROUND);
    }

    @Test
    void normBoundRefusesAScaledUpdate() {
        RoundCoordinator c = coordinator(1, 1, 1);
        RoundCoordinator.RoundPlan plan = c.start(List.of("a"), T0);
        assertThat(c.submit(plan.round(), update("a", 1, 100, 100, 0), T0)).isEqualTo(RoundCoordinator.Submission.REJECTED);
        assertThat(c.rejectedTotal()).containsEntry(UpdateRejected.Reason.NORM, 1L);
    }

    @Test
    void aSnapshotResumesTheOpenRoundWithItsUpdates() {
        RoundCoordinator c = coordinator(1, 2, 2);
        RoundCoordinator.RoundPlan plan = c.start(List.of("a", "b"), T0);
        c.submit(plan.round(), update("a", 1, 2, 0, 0), T0);
        RoundCoordinator.Snapshot snap = c.snapshot();

        RoundCoordinator resumed = coordinator(1, 2, 2);
        resumed.restore(snap);
        assertThat(resumed.open()).isEqualTo(plan);
        assertThat(resumed.submit(plan.round(), update("a", 1, 2, 0, 0), T0)).isEqualTo(RoundCoordinator.Submission.DUPLICATE);
        resumed.submit(plan.round(), update("b", 1, 0, 2, 0), T0);
        assertThat(resumed.close().version()).isEqualTo(1);
        assertThat(resumed.global()).containsExactly(2f, 3f, 3f);
        assertThat(resumed.start(List.of("a", "b"), T0).round()).isEqualTo(2);
    }

    @Test
    void strategySpecsAreCheckedStrictly() {
        assertThat(Strategies.create("fedavg").name()).isEqualTo("fedavg");
        assertThatThrownBy(() -> Strategies.create("fedavg:lr=2")).hasMessageContaining("has no parameter 'lr'");
        assertThatThrownBy(() -> Strategies.create("nope")).hasMessageContaining("unknown strategy 'nope'");
        assertThatThrownBy(() -> Strategies.create("fedavg:server_lr=x")).hasMessageContaining("must be a number");
    }
}
