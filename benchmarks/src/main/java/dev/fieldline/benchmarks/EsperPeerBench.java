package dev.fieldline.benchmarks;

import dev.fieldline.analytics.engine.EngineConfig;
import dev.fieldline.analytics.engine.Observation;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our engine against Esper on the same job: per key, a sliding window of the last {@code window}
 * values, its mean and standard deviation, and a verdict when a value lies more than 3 standard
 * deviations from the mean. {@link #esper} runs {@link EsperPeer}'s statement; {@link #fieldlineZscore}
 * runs our stream engine configured with only the {@code zscore} detector over the same window
 * length. Both see the same {@link SyntheticReadings} (same seed), one event per operation, on one
 * thread, with every window filled before measuring. Our engine does more per event than the
 * statement (the stream's running statistics, EWMA, rate, trend) and its z-score judges a value
 * against the window before it, while Esper's aggregate includes the arriving value; the cost of the
 * window and the two moments is the same.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.fieldline.benchmarks.EsperRatio} runs this
 * class and prints the ratio ours/Esper per key count.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class EsperPeerBench {
    static final long SEED = 42;

    /** Esper with the per-key window statement. */
    @State(Scope.Thread)
    public static class EsperState {
        @Param({"1", "1000", "100000"})
        public int keys;

        @Param({"100"})
        public int window;

        @Param({"GROUPWIN", "CONTEXT"})
        public EsperPeer.Statement statement;

        @Param({"2000000"})
        public int events;

        EsperPeer esper;
        EsperReading[] readings;
        int next;
        long sent;

        @Setup(Level.Trial)
        public void setUp() {
            SyntheticReadings synthetic = new SyntheticReadings(keys, events, SEED);
            String[] names = new String[keys];
            for (int k = 0; k < keys; k++) {
                names[k] = SyntheticReadings.streamKey(k).toString();
            }
            readings = new EsperReading[synthetic.size()];
            for (int i = 0; i < readings.length; i++) {
                readings[i] = new EsperReading(names[synthetic.key(i)], synthetic.value(i));
            }
            esper = new EsperPeer(statement, window);
            for (long fill = (long) keys * window; sent < fill; ) {
                send();
            }
        }

        void send() {
            esper.send(readings[next]);
            sent++;
            if (++next == readings.length) {
                next = 0;
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            esper.close();
        }
    }

    /** Our engine with only the zscore detector over the same window, and nothing optional. */
    @State(Scope.Thread)
    public static class ZscoreState {
        @Param({"1", "1000", "100000"})
        public int keys;

        @Param({"100"})
        public int window;

        @Param({"2000000"})
        public int events;

        EngineFeed feed;

        @Setup(Level.Trial)
        public void setUp() {
            feed = new EngineFeed(zscoreOnly(keys, window), new SyntheticReadings(keys, events, SEED)).fill(window);
        }
    }

    /**
     * Our engine doing as little besides the z-score as it allows: the one detector, no windows, no
     * history, no quantile sketch (the running statistics, EWMA, rate and trend stay: they are not optional).
     */
    static EngineConfig zscoreOnly(int keys, int window) {
        return EngineConfig.builder()
                .detector("zscore", Map.of("window", Integer.toString(window)))
                .historySize(0)
                .quantiles(false)
                .maxKeys(Math.max(keys, EngineConfig.DEFAULT_MAX_KEYS))
                .build();
    }

    @Benchmark
    public void esper(EsperState s) {
        s.send();
    }

    @Benchmark
    public Observation fieldlineZscore(ZscoreState s) {
        return s.feed.accept();
    }
}
