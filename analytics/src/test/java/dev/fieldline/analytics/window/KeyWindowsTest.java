package dev.fieldline.analytics.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.analytics.StreamKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyWindowsTest {
    private static final StreamKey KEY = new StreamKey("dev-1", "temperature");
    private final List<WindowResult> out = new ArrayList<>();

    private KeyWindows windows(Duration allowance, String... specs) {
        return new KeyWindows(KEY, Arrays.stream(specs).map(WindowSpec::parse).toList(), allowance, out::add);
    }

    @Test
    void tumblingClosesWhenTheWatermarkPassesItsEnd() {
        KeyWindows w = windows(Duration.ZERO, "tumbling 1s");
        w.add(0, 1);
        w.add(500, 2);
        w.add(999, 6);
        assertThat(out).isEmpty();
        w.add(1000, 10);
        assertThat(out).hasSize(1);
        WindowResult r = out.get(0);
        assertThat(r.key()).isEqualTo(KEY);
        assertThat(r.start()).isEqualTo(Instant.ofEpochMilli(0));
        assertThat(r.end()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(r.count()).isEqualTo(3);
        assertThat(r.mean()).isEqualTo(3);
        assertThat(r.stddev()).isCloseTo(Math.sqrt(7), within(1e-12));
        assertThat(r.min()).isEqualTo(1);
        assertThat(r.max()).isEqualTo(6);
        assertThat(r.first()).isEqualTo(1);
        assertThat(r.last()).isEqualTo(6);
        assertThat(r.p50()).isEqualTo(2);
        assertThat(r.p95()).isCloseTo(5.6, within(1e-12));
        w.add(5200, 1);
        assertThat(out).as("empty windows [2s, 5s) are not emitted").hasSize(2);
        assertThat(out.get(1).start()).isEqualTo(Instant.ofEpochMilli(1000));
    }

    @Test
    void outOfOrderWithinTheAllowanceCountsAndLateIsDropped() {
        KeyWindows w = windows(Duration.ofMillis(500), "tumbling 1s");
        assertThat(w.add(100, 1)).isTrue();
        assertThat(w.add(1200, 5)).isTrue();
        assertThat(w.add(900, 3)).as("watermark 700, window [0, 1s) still open").isTrue();
        assertThat(out).isEmpty();
        assertThat(w.add(1600, 7)).isTrue();
        assertThat(w.watermark()).isEqualTo(1100);
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.count()).isEqualTo(2);
            assertThat(r.first()).isEqualTo(1);
            assertThat(r.last()).isEqualTo(3);
            assertThat(r.mean()).isEqualTo(2);
        });
        assertThat(w.add(950, 100)).as("window [0, 1s) closed: late").isFalse();
        w.flush();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).count()).isEqualTo(2);
        assertThat(out.get(1).max()).isEqualTo(7);
        assertThat(out.get(1).first()).isEqualTo(5);
    }

    @Test
    void hoppingSlidingAndTumblingMatchABruteForceRecomputation() {
        for (String spec : new String[] {"tumbling 10s", "hopping 10s every 4s", "hopping 9s every 3s", "sliding 20s",
                "hopping 10s every 10s"}) {
            for (long allowance : new long[] {0, 3_000}) {
                out.clear();
                WindowSpec s = WindowSpec.parse(spec);
                KeyWindows w = new KeyWindows(KEY, List.of(s), Duration.ofMillis(allowance), out::add);
                Random r = new Random(spec.hashCode() + allowance);
                List<long[]> accepted = new ArrayList<>();
                List<Double> acceptedValues = new ArrayList<>();
                long t = 1_700_000_000_000L;
                long max = Long.MIN_VALUE;
                int late = 0;
                for (int i = 0; i < 400; i++) {
                    t += r.nextInt(1500);
                    long time = t - (r.nextInt(5) == 0 ? r.nextInt(6000) : 0);
                    double v = Math.round(r.nextGaussian() * 100) / 10.0;
                    max = Math.max(max, time);
                    long wm = max - allowance;
                    long firstStart = (Math.floorDiv(time - s.size(), s.slide()) + 1) * s.slide();
                    boolean expectLate = firstStart + s.size() <= wm;
                    boolean onTime = w.add(time, v);
                    assertThat(onTime).as("%s allowance %d sample %d at %d", spec, allowance, i, time).isEqualTo(!expectLate);
                    if (onTime) {
                        accepted.add(new long[] {time, i});
                        acceptedValues.add(v);
                    } else {
                        late++;
                    }
                }
                if (allowance == 0) {
                    assertThat(late).as("the stream has out-of-order samples").isPositive();
                }
                w.flush();
                List<WindowResult> expected = bruteForce(s, accepted, acceptedValues);
                assertThat(out).as(spec).hasSameSizeAs(expected);
                out.sort(Comparator.comparing(WindowResult::start));
                for (int i = 0; i < expected.size(); i++) {
                    WindowResult e = expected.get(i);
                    WindowResult a = out.get(i);
                    assertThat(a.start()).isEqualTo(e.start());
                    assertThat(a.end()).isEqualTo(e.end());
                    assertThat(a.count()).isEqualTo(e.count());
                    assertThat(a.mean()).isCloseTo(e.mean(), within(1e-9));
                    assertThat(a.stddev()).isCloseTo(e.stddev(), within(1e-9));
                    assertThat(a.min()).isEqualTo(e.min());
                    assertThat(a.max()).isEqualTo(e.max());
                    assertThat(a.first()).isEqualTo(e.first());
                    assertThat(a.last()).isEqualTo(e.last());
                    if (a.count() <= 32) {
                        assertThat(a.p50()).isCloseTo(e.p50(), within(1e-9));
                        assertThat(a.p95()).isCloseTo(e.p95(), within(1e-9));
                    }
                }
            }
        }
    }

    /** Every window [k·slide, k·slide + size) with data, recomputed from the accepted samples. */
    private static List<WindowResult> bruteForce(WindowSpec s, List<long[]> samples, List<Double> values) {
        long lo = samples.stream().mapToLong(x -> x[0]).min().orElseThrow();
        long hi = samples.stream().mapToLong(x -> x[0]).max().orElseThrow();
        List<WindowResult> res = new ArrayList<>();
        for (long start = Math.floorDiv(lo - s.size(), s.slide()) * s.slide(); start <= hi; start += s.slide()) {
            List<Integer> in = new ArrayList<>();
            for (int i = 0; i < samples.size(); i++) {
                if (samples.get(i)[0] >= start && samples.get(i)[0] < start + s.size()) {
                    in.add(i);
                }
            }
            if (in.isEmpty()) {
                continue;
            }
            double[] v = in.stream().mapToDouble(values::get).toArray();
            double mean = Arrays.stream(v).average().orElseThrow();
            double ss = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
            int firstI = in.stream().min(Comparator.comparingLong((Integer i) -> samples.get(i)[0])).orElseThrow();
            // last: the latest time; among equal times the one added last
            int lastI = in.get(0);
            for (int i : in) {
                if (samples.get(i)[0] >= samples.get(lastI)[0]) {
                    lastI = i;
                }
            }
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            res.add(new WindowResult(KEY, s, Instant.ofEpochMilli(start), Instant.ofEpochMilli(start + s.size()), v.length,
                    mean, v.length < 2 ? 0 : Math.sqrt(ss / (v.length - 1)), sorted[0], sorted[v.length - 1],
                    values.get(firstI), values.get(lastI), r7(sorted, 0.5), r7(sorted, 0.95)));
        }
        return res;
    }

    private static double r7(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    @Test
    void slidingAdvancesInTenthsOfItsSize() {
        KeyWindows w = windows(Duration.ZERO, "sliding 10s");
        w.add(0, 1);
        w.add(1_000, 2);
        w.add(10_500, 3);
        // windows ending at 1s .. 10s closed; those holding data start at -9s .. 1s
        assertThat(out).extracting(r -> r.start().toEpochMilli())
                .containsExactly(-9_000L, -8_000L, -7_000L, -6_000L, -5_000L, -4_000L, -3_000L, -2_000L, -1_000L, 0L);
        assertThat(out.get(0).count()).isEqualTo(1);
        assertThat(out.get(9).count()).isEqualTo(2);
        assertThat(out.get(9).end().toEpochMilli()).isEqualTo(10_000);
    }

    @Test
    void sessionsCloseAfterTheGapAndMergeWhenBridged() {
        KeyWindows w = windows(Duration.ofSeconds(5), "session gap 2s");
        w.add(0, 1);
        w.add(3_000, 3);
        w.add(1_500, 2);
        assertThat(out).isEmpty();
        w.add(20_000, 9);
        assertThat(out).singleElement().satisfies(r -> {
            assertThat(r.count()).isEqualTo(3);
            assertThat(r.start().toEpochMilli()).isZero();
            assertThat(r.end().toEpochMilli()).isEqualTo(5_000);
            assertThat(r.first()).isEqualTo(1);
            assertThat(r.last()).isEqualTo(3);
            assertThat(r.mean()).isEqualTo(2);
        });
        assertThat(w.add(12_000, 4)).as("its own session [12s, 14s) is behind the watermark 15s").isFalse();
        assertThat(w.add(17_000, 5)).as("joins nothing but its session is still open").isTrue();
        assertThat(w.add(18_500, 6)).as("bridges [17s, 19s) and [20s, 22s)").isTrue();
        w.flush();
        assertThat(out).hasSize(2);
        assertThat(out.get(1).count()).isEqualTo(3);
        assertThat(out.get(1).start().toEpochMilli()).isEqualTo(17_000);
        assertThat(out.get(1).end().toEpochMilli()).isEqualTo(22_000);
    }

    @Test
    void sessionsApartStayApart() {
        KeyWindows w = windows(Duration.ZERO, "session gap 1s");
        w.add(0, 1);
        w.add(999, 1);
        w.add(1_999, 1);
        assertThat(out).as("a gap of exactly 1s ends the session").singleElement()
                .satisfies(r -> assertThat(r.count()).isEqualTo(2));
        out.clear();
        w.add(2_900, 1);
        w.add(3_800, 1);
        assertThat(out).isEmpty();
        w.add(5_000, 1);
        assertThat(out).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(3));
        w.add(4_500, 2);
        assertThat(out).hasSize(1);
        w.add(7_000, 1);
        assertThat(out).hasSize(2);
        assertThat(out.get(1).count()).as("4.5s joined the session at 5s").isEqualTo(2);
    }

    @Test
    void countWindowsCountArrivals() {
        KeyWindows w = windows(Duration.ZERO, "tumbling 3 samples", "hopping 4 samples every 2 samples");
        long[] times = {10, 20, 5, 40, 50, 60, 70};
        for (int i = 0; i < times.length; i++) {
            assertThat(w.add(times[i], i + 1)).as("count windows are never late").isTrue();
        }
        List<WindowResult> tumbling = out.stream().filter(r -> r.spec().kind() == WindowSpec.Kind.TUMBLING).toList();
        List<WindowResult> hopping = out.stream().filter(r -> r.spec().kind() == WindowSpec.Kind.HOPPING).toList();
        assertThat(tumbling).extracting(WindowResult::count).containsExactly(3L, 3L);
        assertThat(tumbling.get(0).mean()).isEqualTo(2);
        assertThat(tumbling.get(0).first()).as("earliest event time").isEqualTo(3);
        assertThat(tumbling.get(0).start().toEpochMilli()).isEqualTo(5);
        assertThat(tumbling.get(0).end().toEpochMilli()).isEqualTo(20);
        assertThat(hopping).extracting(WindowResult::mean).containsExactly(2.5, 4.5);
        out.clear();
        w.flush();
        assertThat(out).extracting(WindowResult::count).containsExactlyInAnyOrder(1L, 3L, 1L);
    }
}
