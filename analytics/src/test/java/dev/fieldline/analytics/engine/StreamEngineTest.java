package dev.fieldline.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.detect.Detector;
import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.analytics.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamEngineTest {
    private final List<WindowResult> windows = new ArrayList<>();
    private final List<StreamKey> expiredKeys = new ArrayList<>();
    private final StreamListener listener = new StreamListener() {
        @Override
        public void windowClosed(WindowResult result) {
            windows.add(result);
        }

        @Override
        public void streamExpired(StreamKey key) {
            expiredKeys.add(key);
        }
    };

    /** Scores 1 for a value above every earlier one, else 0; remembers what it saw. */
    static final class NewHigh implements Detector {
        final List<Double> seen = new ArrayList<>();
        double max = Double.NEGATIVE_INFINITY;

        @Override
        public double update(long timeMillis, double value) {
            seen.add(value);
            double score = !seen.isEmpty() && seen.size() > 1 && value > max ? 1 : 0;
            max = Math.max(max, value);
            return score;
        }
    }

    /** Scores a fixed fraction. */
    record Fixed(double score) implements Detector {
        @Override
        public double update(long timeMillis, double value) {
            return score;
        }
    }

    private final List<NewHigh> made = new ArrayList<>();

    private EngineConfig.Builder config() {
        return EngineConfig.builder().detectors(List.of(new NamedDetector("new-high", () -> {
            NewHigh d = new NewHigh();
            made.add(d);
            return d;
        }), new NamedDetector("fixed", () -> new Fixed(0.25))));
    }

    @Test
    void observationCarriesTheStreamsStatisticsAndScores() {
        StreamEngine e = new StreamEngine(config().ewmaAlpha(0.5).build(), listener);
        assertThat(e.detectorNames()).containsExactly("new-high", "fixed");
        double[] v = {10, 12, 11, 15, 9};
        Observation o = null;
        for (int i = 0; i < v.length; i++) {
            o = e.accept("dev-1", "temp", 1_000L * i, v[i]);
            assertThat(o.detectorScores()).containsExactly(i == 1 || i == 3 ? 1 : 0, 0.25);
            assertThat(o.anomalyScore()).isEqualTo(i == 1 || i == 3 ? 1 : 0.25);
        }
        assertThat(o.key()).isEqualTo(new StreamKey("dev-1", "temp"));
        assertThat(o.count()).isEqualTo(5);
        double mean = Arrays.stream(v).average().orElseThrow();
        assertThat(o.mean()).isCloseTo(mean, within(1e-12));
        double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        assertThat(o.stddev()).isCloseTo(Math.sqrt(ss / 4), within(1e-12));
        assertThat(o.min()).isEqualTo(9);
        assertThat(o.max()).isEqualTo(15);
        assertThat(o.ewma()).isCloseTo(((((10 * 0.5 + 12 * 0.5) * 0.5 + 11 * 0.5) * 0.5 + 15 * 0.5) * 0.5 + 9 * 0.5), within(1e-12));
        assertThat(o.ratePerSecond()).isEqualTo(-6);
        assertThat(o.trend().n()).isEqualTo(5);
        assertThat(o.value()).isEqualTo(9);
        assertThat(o.timeMillis()).isEqualTo(4_000);
        assertThat(made).hasSize(1);
        assertThat(made.get(0).seen).containsExactly(10.0, 12.0, 11.0, 15.0, 9.0);

        StreamSummary s = e.summary(new StreamKey("dev-1", "temp")).orElseThrow();
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.p50()).isEqualTo(11);
        assertThat(s.lastValue()).isEqualTo(9);
        assertThat(e.summary(new StreamKey("dev-1", "other"))).isEmpty();
    }

    @Test
    void streamsAreSeparate() {
        StreamEngine e = new StreamEngine(config().build(), listener);
        e.accept("a", "t", 0, 1);
        e.accept("a", "h", 0, 100);
        e.accept("b", "t", 0, 50);
        Observation o = e.accept("a", "t", 1000, 3);
        assertThat(o.count()).isEqualTo(2);
        assertThat(o.mean()).isEqualTo(2);
        assertThat(e.activeKeys()).isEqualTo(3);
        assertThat(made).hasSize(3);
    }

    @Test
    void outOfOrderGoesToTheWindowsOnly() {
        StreamEngine e = new StreamEngine(config().windows("tumbling 10s").allowance(Duration.ofSeconds(5)).build(), listener);
        assertThat(e.accept("d", "m", 1_000, 1)).isNotNull();
        assertThat(e.accept("d", "m", 8_000, 2)).isNotNull();
        assertThat(e.accept("d", "m", 7_000, 30)).as("older than the latest").isNull();
        assertThat(e.accept("d", "m", 8_000, 3)).as("same time is in order").isNotNull();
        Observation o = e.accept("d", "m", 16_000, 4);
        assertThat(o.count()).isEqualTo(4);
        assertThat(o.max()).as("the out-of-order value is not in the statistics").isEqualTo(4);
        assertThat(made.get(0).seen).containsExactly(1.0, 2.0, 3.0, 4.0);
        assertThat(windows).singleElement().satisfies(w -> {
            assertThat(w.count()).isEqualTo(4);
            assertThat(w.max()).isEqualTo(30);
        });
        assertThat(e.accept("d", "m", 9_000, 5)).as("late: window [0, 10s) closed").isNull();
        assertThat(e.counters()).isEqualTo(new EngineCounters(6, 1, 2, 0, 0, 0));
        assertThat(e.history(new StreamKey("d", "m")).orElseThrow().values()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void nonFiniteValuesAreRefused() {
        StreamEngine e = new StreamEngine(config().build(), listener);
        assertThat(e.accept("d", "m", 0, Double.NaN)).isNull();
        assertThat(e.accept("d", "m", 0, Double.POSITIVE_INFINITY)).isNull();
        assertThat(e.activeKeys()).isZero();
        assertThat(e.counters().refusedValues()).isEqualTo(2);
        assertThat(e.counters().samples()).isZero();
        assertThatThrownBy(() -> e.accept("", "m", 0, 1)).hasMessageContaining("must not be empty");
    }

    @Test
    void keyCapRefusesNewStreamsOnly() {
        StreamEngine e = new StreamEngine(config().maxKeys(3).idleTimeout(Duration.ofMinutes(1)).build(), listener);
        for (int i = 0; i < 3; i++) {
            assertThat(e.accept("dev-" + i, "m", 0, i)).isNotNull();
        }
        assertThat(e.accept("dev-3", "m", 0, 1)).isNull();
        assertThat(e.accept("dev-0", "m2", 0, 1)).isNull();
        assertThat(e.accept("dev-0", "m", 90_000, 1)).as("known streams go on").isNotNull();
        assertThat(e.activeKeys()).isEqualTo(3);
        assertThat(e.counters().refusedKeys()).isEqualTo(2);
        assertThat(e.expireIdle(90_000)).isEqualTo(2);
        assertThat(e.accept("dev-3", "m", 90_000, 1)).as("room again after expiry").isNotNull();
        assertThat(e.activeKeys()).isEqualTo(2);
    }

    @Test
    void idleStreamsExpireWithTheirWindowsEmitted() {
        StreamEngine e = new StreamEngine(config().windows("tumbling 1m").idleTimeout(Duration.ofMinutes(10)).build(), listener);
        e.accept("a", "t", 0, 1);
        e.accept("a", "t", 1_000, 2);
        e.accept("b", "t", 300_000, 5);
        assertThat(e.expireIdle(600_000)).as("idle exactly 10 min is kept").isZero();
        assertThat(e.expireIdle(600_001)).isEqualTo(0);
        assertThat(e.expireIdle(601_001)).isEqualTo(1);
        assertThat(expiredKeys).containsExactly(new StreamKey("a", "t"));
        assertThat(windows).singleElement().satisfies(w -> {
            assertThat(w.key()).isEqualTo(new StreamKey("a", "t"));
            assertThat(w.count()).isEqualTo(2);
        });
        assertThat(e.history(new StreamKey("a", "t"))).isEmpty();
        assertThat(e.history(new StreamKey("b", "t"))).isPresent();
        Observation o = e.accept("a", "t", 700_000, 9);
        assertThat(o.count()).as("a fresh stream").isEqualTo(1);
        assertThat(e.counters().expired()).isEqualTo(1);
    }

    @Test
    void historyKeepsTheLatestSamplesInOrder() {
        StreamEngine e = new StreamEngine(config().historySize(40).build(), listener);
        StreamKey k = new StreamKey("d", "m");
        for (int i = 0; i < 10; i++) {
            e.accept("d", "m", i, i);
        }
        assertThat(e.history(k).orElseThrow().values()).hasSize(10).startsWith(0, 1).endsWith(9);
        for (int i = 10; i < 107; i++) {
            e.accept("d", "m", i, i);
        }
        History h = e.history(k).orElseThrow();
        assertThat(h.size()).isEqualTo(40);
        for (int i = 0; i < 40; i++) {
            assertThat(h.times()[i]).isEqualTo(67 + i);
            assertThat(h.values()[i]).isEqualTo(67 + i);
        }
        long later = 106L + Integer.MAX_VALUE;
        e.accept("d", "m", later, 1);
        e.accept("d", "m", later + Integer.MAX_VALUE, 2);
        assertThat(e.history(k).orElseThrow().times()).as("gaps up to 24.8 days are kept")
                .endsWith(106, later, later + Integer.MAX_VALUE);
        e.accept("d", "m", later + Integer.MAX_VALUE + Integer.MAX_VALUE + 1L, 3);
        assertThat(e.history(k).orElseThrow().times()).as("a longer gap starts afresh")
                .containsExactly(later + Integer.MAX_VALUE + Integer.MAX_VALUE + 1L);
        StreamEngine none = new StreamEngine(config().historySize(0).build(), listener);
        none.accept("d", "m", 0, 1);
        assertThat(none.history(k).orElseThrow().size()).isZero();
    }

    @Test
    void trendFollowsTheStream() {
        StreamEngine e = new StreamEngine(config().trendSamples(30).build(), listener);
        Random r = new Random(1);
        Observation o = null;
        for (int i = 0; i < 100; i++) {
            o = e.accept("d", "m", i * 1000L, 50 + i + r.nextGaussian());
        }
        assertThat(o.trend().direction()).isEqualTo(Trend.Direction.INCREASING);
        assertThat(o.trend().n()).isEqualTo(30);
        assertThat(o.trend().slopePerSecond()).isCloseTo(1, within(0.2));
    }

    @Test
    void detectorScoresOutsideTheRangeAreClamped() {
        StreamEngine e = new StreamEngine(EngineConfig.builder().detectors(List.of(new NamedDetector("nan", () -> new Fixed(Double.NaN)),
                new NamedDetector("big", () -> new Fixed(7)))).build(), listener);
        Observation o = e.accept("d", "m", 0, 1);
        assertThat(o.detectorScores()).containsExactly(0, 1);
        assertThat(o.anomalyScore()).isEqualTo(1);
        StreamEngine bare = new StreamEngine(EngineConfig.builder().detectors(List.of()).build(), listener);
        assertThat(bare.accept("d", "m", 0, 1).anomalyScore()).isZero();
    }

    @Test
    void configRefusesBadSettingsByName() {
        assertThatThrownBy(() -> config().maxKeys(0).build()).hasMessageContaining("maxKeys must be at least 1");
        assertThatThrownBy(() -> config().allowance(Duration.ofSeconds(-1)).build()).hasMessageContaining("allowance");
        assertThatThrownBy(() -> config().ewmaAlpha(0).build()).hasMessageContaining("ewmaAlpha");
        assertThatThrownBy(() -> config().historySize(-1).build()).hasMessageContaining("historySize");
        assertThatThrownBy(() -> config().idleTimeout(Duration.ZERO).build()).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> config().windows("tumbling 0s")).hasMessageContaining("bad window");
        assertThatThrownBy(() -> EngineConfig.builder().detectors(List.of(new NamedDetector("x", () -> new Fixed(0)),
                new NamedDetector("x", () -> new Fixed(0)))).build()).hasMessageContaining("same name");
        assertThat(config().windows("sliding 30s").build().describe()).contains("windows (list of window specs) = [sliding 30s]")
                .contains("maxKeys (streams) = 200000 (default 200000)");
    }
}
