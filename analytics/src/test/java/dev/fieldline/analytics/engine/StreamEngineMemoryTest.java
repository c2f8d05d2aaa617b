package dev.fieldline.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.detect.Detectors;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The memory budget of docs/analytics.md ("Memory and cost"), measured as used heap after GC with and
 * without the engine: 100,000 streams with the engine's defaults (512-sample history, 60-sample
 * trend, quantile sketch, no windows) with the light z-score detector, and with the registry's
 * default chain as the gateway runs it; per stream with two windows open. Takes about two minutes:
 * tagged {@code budget}.
 */
@Tag("budget")
class StreamEngineMemoryTest {
    /** Samples per stream: past the detectors' warm-up and the sketch's exact phase. */
    static final int SAMPLES = 64;
    /** The stated budget: 100,000 streams with the z-score detector. */
    static final long BUDGET_MIB = 1_200;
    /** The stated budget of the gateway's default: 100,000 streams with the default chain ({@code ensemble}). */
    static final long DEFAULT_CHAIN_BUDGET_MIB = 1_536;
    /** A ceiling on a stream's bytes with the z-score detector and two windows open (measured: docs). */
    static final long WINDOWS_CEILING_BYTES = 24 * 1024;

    @Test
    void hundredThousandStreamsFitTheBudget() {
        long bytes = retained(EngineConfig.builder().detector("zscore", Map.of()).build(), 100_000, "zscore");
        assertThat(bytes / 1048576.0).as("MiB retained by 100,000 streams").isLessThan(BUDGET_MIB);
    }

    /** The gateway's configuration: engine defaults with the registry's default chain, 100,000 streams. */
    @Test
    void hundredThousandStreamsWithTheDefaultChainFitTheirBudget() {
        EngineConfig config = EngineConfig.defaults();
        long bytes = retained(config, 100_000, config.detectors().get(0).name());
        assertThat(bytes / 1048576.0).as("MiB retained by 100,000 streams with %s", Detectors.DEFAULT)
                .isLessThan(DEFAULT_CHAIN_BUDGET_MIB);
    }

    @Test
    void windowsPerStream() {
        EngineConfig config = EngineConfig.builder().detector("zscore", Map.of()).windows("tumbling 1m", "sliding 30s").build();
        long perStream = retained(config, 20_000, "zscore, tumbling 1m + sliding 30s") / 20_000;
        assertThat(perStream).as("bytes per stream with two windows").isLessThan(WINDOWS_CEILING_BYTES);
    }

    private static long retained(EngineConfig config, int keys, String chain) {
        long before = usedAfterGc();
        StreamEngine engine = new StreamEngine(config, StreamListener.NONE);
        String[] devices = new String[keys];
        for (int i = 0; i < keys; i++) {
            devices[i] = "device-" + i;
        }
        Random r = new Random(1);
        long t0 = System.nanoTime();
        for (int s = 0; s < SAMPLES; s++) {
            for (int i = 0; i < keys; i++) {
                engine.accept(devices[i], "temperature", 1_700_000_000_000L + s * 1_000L, 20 + r.nextGaussian());
            }
        }
        long feedNanos = System.nanoTime() - t0;
        long after = usedAfterGc();
        assertThat(engine.activeKeys()).isEqualTo(keys);
        assertThat(engine.counters().samples()).isEqualTo((long) keys * SAMPLES);
        System.out.printf("%,d streams (%s, %d samples each): %.0f MiB retained, %,d bytes per stream; %.2f µs per accept%n",
                keys, chain, SAMPLES, (after - before) / 1048576.0, (after - before) / keys, feedNanos / 1e3 / keys / SAMPLES);
        return after - before;
    }

    static long usedAfterGc() {
        MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, bean.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
