package dev.fieldline.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The default ensemble on synthetic streams: what it reports, what it holds back, what it refuses. */
class EnsembleDetectorTest {
    static final long MINUTE = 60_000;

    static double[] run(Detector d, double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = d.update(i * MINUTE, values[i]);
        }
        return out;
    }

    static double[] noise(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 20 + 5 * Math.sin(i * 2 * Math.PI / 288) + r.nextGaussian();
        }
        return v;
    }

    @Test
    void theDefaultIsTheEnsemble() {
        assertThat(Detectors.DEFAULT).isEqualTo("ensemble");
        assertThat(Detectors.types()).extracting(DetectorType::name).contains("ensemble", "windowed_gaussian");
    }

    @Test
    void aSpikeIsReportedAndTheNoiseAroundItIsNot() {
        double[] v = noise(3000, 7);
        v[2500] += 40;
        double[] s = run(Detectors.factory("ensemble", Map.of()).create(), v);
        assertThat(s[2500]).isGreaterThanOrEqualTo(0.5);
        for (int i = 2000; i < 2500; i++) {
            assertThat(s[i]).as("row %d", i).isLessThan(0.5);
        }
    }

    @Test
    void aLevelShiftStandsOutThroughTheMembers() {
        // range novelty off, so the members are what reports it
        double[] v = noise(4000, 3);
        for (int i = 3000; i < 4000; i++) {
            v[i] += 8;
        }
        double[] s = run(Detectors.factory("ensemble", Map.of("range_tolerance", "-1")).create(), v);
        double before = 0;
        for (int i = 2500; i < 3000; i++) {
            before = Math.max(before, s[i]);
        }
        double max = 0;
        for (int i = 3000; i < 3100; i++) {
            max = Math.max(max, s[i]);
        }
        // measured: about 0.39 after the shift; the NAB-tuned alert (0.5) is not reached (docs/analytics.md, NAB)
        System.out.printf("level shift of 8 noise sigmas: max score %.3f before, %.3f in the 100 values after%n", before, max);
        assertThat(max).isGreaterThan(0.3).isGreaterThan(4 * before);
    }

    @Test
    void afterAReportRepeatsAreHeldBelowTheAlertForQuietValues() {
        double[] v = noise(3000, 11);
        for (int i = 2500; i < 2520; i++) {
            v[i] += 60 + 100 * (i - 2500); // each a new extreme by far
        }
        double[] s = run(Detectors.factory("ensemble", Map.of("quiet", "30")).create(), v);
        int first = -1;
        for (int i = 1000; i < s.length; i++) {
            if (s[i] >= 0.5) {
                first = i;
                break;
            }
        }
        assertThat(first).isEqualTo(2500);
        for (int i = first + 1; i <= first + 30; i++) {
            assertThat(s[i]).as("row %d", i).isLessThan(0.5);
        }
        double[] loud = run(Detectors.factory("ensemble", Map.of("quiet", "0")).create(), v);
        assertThat(loud[2501]).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void aNewExtremeBeyondTheRangeScoresOneAndRangeNoveltyCanBeSwitchedOff() {
        double[] v = noise(2000, 5);
        v[1500] = 40; // the seen range is about 11 to 29: 40 is past it by far more than 2 % of it
        assertThat(run(Detectors.factory("ensemble", Map.of()).create(), v)[1500]).isEqualTo(1.0);
        assertThat(run(Detectors.factory("ensemble", Map.of("range_tolerance", "-1")).create(), v)[1500]).isLessThan(1.0);
    }

    @Test
    void itIsCausalAndDeterministic() {
        double[] v = noise(2000, 9);
        double[] all = run(Detectors.factory("ensemble", Map.of()).create(), v);
        double[] head = run(Detectors.factory("ensemble", Map.of()).create(), java.util.Arrays.copyOf(v, 1200));
        assertThat(java.util.Arrays.copyOf(all, 1200)).containsExactly(head);
    }

    @Test
    void scoresStayInZeroOneOnHostileValues() {
        Detector d = Detectors.factory("ensemble", Map.of()).create();
        Random r = new Random(1);
        double[] hostile = {0, 0, 0, 1e308, -1e308, Double.MIN_VALUE, 0, 5, 5, 5, -1e-300, 1e308, 1e308};
        long t = 0;
        for (int k = 0; k < 200; k++) {
            for (double h : hostile) {
                double s = d.update(t += MINUTE, h * (r.nextBoolean() ? 1 : -1));
                assertThat(s).isBetween(0.0, 1.0);
            }
        }
    }

    @Test
    void membersTakeParametersAndBadOnesAreRefusedByName() {
        assertThat(Detectors.factory("ensemble", Map.of("members", "zscore(window=50;threshold=4),cusum")).create()).isNotNull();
        assertThatThrownBy(() -> Detectors.factory("ensemble", Map.of("members", "zscore,nope")))
                .hasMessageContaining("no detector called 'nope'");
        assertThatThrownBy(() -> Detectors.factory("ensemble", Map.of("members", "zscore(window)")))
                .hasMessageContaining("name or name(k=v;k=v)");
        assertThatThrownBy(() -> Detectors.factory("ensemble", Map.of("members", "ensemble")))
                .hasMessageContaining("must list other detectors");
        assertThatThrownBy(() -> Detectors.factory("ensemble", Map.of("combine", "median")))
                .hasMessageContaining("combine must be one of mean, max, noisy_or");
        assertThatThrownBy(() -> Detectors.factory("ensemble", Map.of("quite", "3")))
                .hasMessageContaining("has no parameter quite; it takes alert, average, calibrate");
    }

    @Test
    void theWindowedGaussianScoresOneMinusTheNormalTail() {
        Detector d = Detectors.factory("windowed_gaussian", Map.of("window", "4", "step", "2")).create();
        assertThat(d.update(0, 1)).isZero();
        assertThat(d.update(1, 3)).isEqualTo(1.0); // against [1]: deviation 0 counts as 1e-6
        assertThat(d.update(2, 1)).isCloseTo(1 - NormalTail.upper(1), org.assertj.core.api.Assertions.within(1e-7)); // [1, 3]
        d.update(3, 3); // the window fills: [1, 3, 1, 3], mean 2, population std 1
        assertThat(d.update(4, 4)).isCloseTo(1 - NormalTail.upper(2), org.assertj.core.api.Assertions.within(1e-7));
        assertThat(d.update(5, 0)).isCloseTo(1 - NormalTail.upper(2), org.assertj.core.api.Assertions.within(1e-7));
        // the step of 2 is complete: window [1, 3, 4, 0], mean 2, std sqrt(2.5); the mean itself scores 1 - Q(0)
        assertThat(d.update(6, 2)).isCloseTo(0.5, org.assertj.core.api.Assertions.within(1e-7));
        assertThat(d.update(7, 2 + Math.sqrt(2.5))).isCloseTo(1 - NormalTail.upper(1), org.assertj.core.api.Assertions.within(1e-7));
        assertThat(NormalTail.upper(0)).isCloseTo(0.5, org.assertj.core.api.Assertions.within(0.5 * 1.2e-7));
        assertThat(NormalTail.upper(1.959963985)).isCloseTo(0.025, org.assertj.core.api.Assertions.within(0.025 * 1.2e-7 + 1e-12));
        assertThat(NormalTail.upper(5)).isCloseTo(2.866515719e-7, org.assertj.core.api.Assertions.within(2.9e-7 * 1.2e-7));
    }
}
