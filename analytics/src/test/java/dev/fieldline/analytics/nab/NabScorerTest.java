package dev.fieldline.analytics.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.analytics.nab.NabCorpus.LabelledSeries;
import dev.fieldline.analytics.nab.NabCorpus.Profile;
import dev.fieldline.analytics.nab.NabCorpus.Window;
import dev.fieldline.analytics.nab.NabScorer.ProfileResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The sweep and threshold logic on tiny series scored by hand. Files have 20 rows, so the
 * probationary period is floor(0.15 * 20) = 3 rows; the window is rows 10..13 (width 4); the profile
 * weighs a TP 1, an FP 0.5 and an FN 2.
 */
class NabScorerTest {
    static final Profile P = new Profile("test", 1.0, 0.5, 2.0);
    static final double E = 1e-12;

    /** S(x) = 2 / (1 + e^(5x)) - 1, written out by hand so the test does not use the scorer's own. */
    static double s(double x) {
        return 2 / (1 + Math.exp(5 * x)) - 1;
    }

    static LabelledSeries file(String name, Window... windows) {
        List<String> ts = new ArrayList<>();
        long[] t = new long[20];
        for (int i = 0; i < 20; i++) {
            ts.add(String.format("2020-01-01 00:%02d:00", i));
            t[i] = i * 60_000L;
        }
        return new LabelledSeries(name, new Series(ts, t, new double[20]), List.of(windows));
    }

    static double[] scores(int... rowScorePairsTimes100) {
        double[] s = new double[20];
        for (int i = 0; i < rowScorePairsTimes100.length; i += 2) {
            s[rowScorePairsTimes100[i]] = rowScorePairsTimes100[i + 1] / 100.0;
        }
        return s;
    }

    @Test
    void probationIsFifteenPercentCappedAt750Rows() {
        assertThat(NabScorer.probationLength(20)).isEqualTo(3);
        assertThat(NabScorer.probationLength(4000)).isEqualTo(600);
        assertThat(NabScorer.probationLength(22_695)).isEqualTo(750);
    }

    @Test
    void sweepWeightsRowsInsideBeforeAndAfterTheWindow() {
        NabScorer.Sweep sw = NabScorer.sweep(file("a", new Window(10, 13)), P);
        assertThat(sw.probation()).isEqualTo(3);
        // before any window: -fpWeight
        assertThat(sw.weight()[5]).isEqualTo(-0.5);
        assertThat(sw.window()[5]).isEqualTo(-1);
        // the window's first row is worth exactly tpWeight, later rows less: S(-(13 - i + 1) / 4) / S(-1)
        assertThat(sw.weight()[10]).isEqualTo(1.0);
        assertThat(sw.weight()[11]).isCloseTo(s(-0.75) / s(-1), within(E)).isCloseTo(0.966989, within(1e-6));
        assertThat(sw.weight()[13]).isCloseTo(s(-0.25) / s(-1), within(E)).isCloseTo(0.562124, within(1e-6));
        assertThat(sw.window()[13]).isZero();
        // after the window: fpWeight * S(|13 - i| / (4 - 1)), -fpWeight from 3 widths on
        assertThat(sw.weight()[15]).isCloseTo(0.5 * s(2.0 / 3), within(E)).isCloseTo(-0.465555, within(1e-6));
        assertThat(sw.weight()[19]).isCloseTo(0.5 * s(2.0), within(E));
    }

    @Test
    void anEarlyDetectionScoresItsPositionAndTheThresholdIsItsScore() {
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(scores(11, 90)), P);
        assertThat(r.threshold()).isEqualTo(0.9);
        assertThat(r.raw()).isCloseTo(s(-0.75) / s(-1), within(E));
        assertThat(r.nullScore()).isEqualTo(-2.0);
        assertThat(r.perfectScore()).isEqualTo(1.0);
        assertThat(r.normalised()).isCloseTo(98.899636, within(1e-6));
        assertThat(r.files().get(0)).extracting("tp", "fp", "fn").containsExactly(1, 0, 0);
    }

    @Test
    void onlyTheBestDetectionOfAWindowCounts() {
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(scores(10, 60, 11, 70, 12, 80)), P);
        assertThat(r.threshold()).isEqualTo(0.6);
        assertThat(r.raw()).isEqualTo(1.0);
        assertThat(r.normalised()).isEqualTo(100.0);
    }

    @Test
    void detectionsInTheProbationaryPeriodAreIgnored() {
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(scores(0, 100, 2, 100)), P);
        assertThat(r.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        assertThat(r.raw()).isEqualTo(-2.0);
        assertThat(r.normalised()).isEqualTo(0.0);
        assertThat(r.files().get(0)).extracting("tp", "fp", "fn").containsExactly(0, 0, 1);
    }

    @Test
    void aFalsePositiveWorthPayingForATruePositiveIsTaken() {
        // threshold 0.8: the FP alone, -2 - 0.5; threshold 0.7: FP and TP at row 12, -0.5 + S(-0.5) / S(-1)
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(scores(5, 80, 12, 70)), P);
        assertThat(r.threshold()).isEqualTo(0.7);
        assertThat(r.raw()).isCloseTo(-0.5 + s(-0.5) / s(-1), within(E)).isCloseTo(0.359793, within(1e-6));
        assertThat(r.files().get(0)).extracting("tp", "fp", "fn").containsExactly(1, 1, 0);
    }

    @Test
    void aMissCheaperThanItsFalsePositivesIsLeftMissed() {
        // five FPs before the window at 0.9 cost 2.5; the window's TP at row 13 is worth 2 + S(-0.25) / S(-1) = 2.56 -> take;
        // with fnWeight 1 the TP is worth 1.56 < 2.5 -> leave it
        double[] sc = scores(4, 90, 5, 90, 6, 90, 7, 90, 8, 90, 13, 90);
        Profile cheapMiss = new Profile("cheap", 1.0, 0.5, 1.0);
        assertThat(NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(sc), P).threshold()).isEqualTo(0.9);
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(sc), cheapMiss);
        assertThat(r.threshold()).isEqualTo(NabScorer.NO_DETECTION);
        assertThat(r.raw()).isEqualTo(-1.0);
    }

    @Test
    void oneThresholdServesTheWholeCorpus() {
        // file a: a TP at 0.6. File b, no windows: an FP at 0.9 (-0.5) and one at 0.5.
        // 0.9: -2 - 0.5 = -2.5; 0.6: 1 - 0.5 = 0.5; 0.5: 1 - 1.0 = 0 -> 0.6, and b keeps its FP at 0.9
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13)), file("b")),
                List.of(scores(10, 60), scores(8, 90, 9, 50)), P);
        assertThat(r.threshold()).isEqualTo(0.6);
        assertThat(r.raw()).isEqualTo(0.5);
        assertThat(r.files().get(1)).extracting("name", "windows", "tp", "fp", "fn", "raw").containsExactly("b", 0, 0, 1, 0, -0.5);
        assertThat(r.normalised()).isCloseTo(100 * 2.5 / 3, within(E));
    }

    @Test
    void ofEqualBestScoresTheHighestThresholdWins() {
        // a detection outside the probation worth nothing more: a second row in the window at a lower score
        ProfileResult r = NabScorer.score(List.of(file("a", new Window(10, 13))), List.of(scores(10, 80, 11, 40)), P);
        assertThat(r.threshold()).isEqualTo(0.8);
    }
}
