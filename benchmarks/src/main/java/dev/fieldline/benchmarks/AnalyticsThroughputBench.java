package dev.fieldline.benchmarks;

import dev.fieldline.analytics.detect.Detectors;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second through {@code StreamEngine.accept} on one thread (the engine is single-threaded,
 * so this is per core), with the engine's defaults (running statistics, EWMA, rate, quantile sketch,
 * trend, history) and the {@code detector} chain: the registry's default ({@value Detectors#DEFAULT})
 * or the light {@code zscore}. The readings are {@link SyntheticReadings} over {@code keys} streams,
 * every stream's detector windows filled in setup before measuring.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@State(Scope.Thread)
public class AnalyticsThroughputBench {
    @Param({"1", "1000", "100000"})
    public int keys;

    @Param({Detectors.DEFAULT, "zscore"})
    public String detector;

    /** Events pre-generated (whole rounds of every key), replayed lap after lap. */
    @Param({"2000000"})
    public int events;

    /** Samples per stream fed before measuring (fills the detectors' default windows of 100). */
    @Param({"100"})
    public int fill;

    EngineFeed feed;

    @Setup(Level.Trial)
    public void setUp() {
        EngineConfig config = EngineConfig.builder()
                .detector(detector, Map.of())
                .maxKeys(Math.max(keys, EngineConfig.DEFAULT_MAX_KEYS))
                .build();
        feed = new EngineFeed(config, new SyntheticReadings(keys, events, EsperPeerBench.SEED)).fill(fill);
    }

    @Benchmark
    public Observation accept() {
        return feed.accept();
    }
}
