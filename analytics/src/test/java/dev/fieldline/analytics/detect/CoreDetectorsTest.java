package dev.fieldline.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What every core detector promises: scores in [0, 1], never NaN, 0 while learning, deterministic, quiet on noise. */
class CoreDetectorsTest {

    static Stream<String> names() {
        return CoreDetectors.types().stream().map(DetectorType::name);
    }

    private static Detector fresh(String name) {
        return Detectors.factory(name, Map.of()).create();
    }

    @ParameterizedTest
    @MethodSource("names")
    void scoresStayInUnitIntervalOnHostileInput(String name) {
        double[][] inputs = {
            filled(3000, 42.0),
            filled(3000, 0.0),
            alternate(3000, Double.MAX_VALUE, -Double.MAX_VALUE),
            alternate(3000, Double.MIN_VALUE, 0.0),
            alternate(3000, Double.MIN_VALUE, -Double.MIN_VALUE),
            alternate(3000, 1e300, 1e-300),
            steps(3000),
        };
        for (double[] in : inputs) {
            double[] s = Series.scores(fresh(name), in);
            for (double x : s) {
                assertThat(x).as(name).isBetween(0.0, 1.0);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void constantSeriesScoresZero(String name) {
        assertThat(Series.max(Series.scores(fresh(name), filled(3000, 21.5)), 0, 3000)).as(name).isZero();
    }

    @ParameterizedTest
    @MethodSource("names")
    void randomizedUpdatesNeverLeaveUnitInterval(String name) {
        // random walks, spikes and scale changes over 40 orders of magnitude, 100 seeds
        for (long seed = 0; seed < 100; seed++) {
            Random r = new Random(seed);
            Detector d = fresh(name);
            double level = 0;
            double scale = Math.pow(10, r.nextInt(81) - 40);
            for (int i = 0; i < 1500; i++) {
                switch (r.nextInt(20)) {
                    case 0 -> scale = Math.pow(10, r.nextInt(617) - 308);
                    case 1 -> level = (r.nextDouble() * 2 - 1) * Double.MAX_VALUE;
                    case 2 -> level = 0;
                    default -> { }
                }
                double v = level + scale * r.nextGaussian();
                if (!Double.isFinite(v)) {
                    v = level;
                }
                double s = d.update(i * 1000L, v);
                assertThat(s).as("%s seed %d at %d", name, seed, i).isBetween(0.0, 1.0);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void deterministic(String name) {
        double[] v = Series.noise(7, 3000);
        v[1500] += 9;
        assertThat(Series.scores(fresh(name), v)).containsExactly(Series.scores(fresh(name), v));
    }

    @ParameterizedTest
    @MethodSource("names")
    void zeroWhileLearning(String name) {
        double[] v = Series.noise(3, 20);
        v[19] = 1e6;
        assertThat(Series.scores(fresh(name), v)).containsOnly(0.0);
    }

    @ParameterizedTest
    @MethodSource("names")
    void unknownParameterIsRefusedByName(String name) {
        assertThatThrownBy(() -> Detectors.factory(name, Map.of("windw", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("windw").hasMessageContaining("it takes");
    }

    @ParameterizedTest
    @MethodSource("names")
    void everyParameterIsDocumentedWithItsDefault(String name) {
        DetectorType t = Detectors.types().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        assertThat(t.parameters()).isNotEmpty();
        assertThat(t.parameters().values()).allSatisfy(doc -> assertThat(doc).contains("default"));
    }

    @ParameterizedTest
    @MethodSource("names")
    void spikeInNoiseScoresHigh(String name) {
        double[] v = Series.noise(11, 2000);
        v[1500] += 10;
        double[] s = Series.scores(fresh(name), v);
        assertThat(s[1500]).as(name).isGreaterThan(0.5);
    }

    private static double[] filled(int n, double x) {
        double[] v = new double[n];
        Arrays.fill(v, x);
        return v;
    }

    private static double[] alternate(int n, double a, double b) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i & 1) == 0 ? a : b;
        }
        return v;
    }

    /** Constant stretches with jumps between them, the denormal and huge scales included. */
    private static double[] steps(int n) {
        double[] levels = {0, Double.MIN_VALUE, 1, -1e308, 1e308, 5, 5e-320};
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = levels[(i / 97) % levels.length];
        }
        return v;
    }
}
