package dev.fieldline.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.detect.DetectorType;
import dev.fieldline.analytics.detect.Detectors;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The memory budget of docs/analytics.md ("Engine"): retained heap of 100,000 active streams with the
 * default configuration (the default detector chain, 512-sample history, 60-sample trend, quantile
 * sketch, no windows), measured as used heap after GC with and without the engine. Takes several
 * seconds: tagged {@code budget}.
 */
@Tag("budget")
class StreamEngineMemoryTest {
    static final int KEYS = 100_000;
    /** Samples per stream: past every detector's warm-up and the sketch's exact phase. */
    static final int SAMPLES = 64;
    /** The stated budget for 100,000 streams. */
    static final long BUDGET_MIB = 2_000;

    @Test
    void hundredThousandStreamsFitTheBudget() {
        EngineConfig config = defaultChain();
        long before = usedAfterGc();
        StreamEngine engine = new StreamEngine(config, StreamListener.NONE);
        String[] devices = new String[KEYS];
        for (int i = 0; i < KEYS; i++) {
            devices[i] = "device-" + i;
        }
        Random r = new Random(1);
        long t0 = System.nanoTime();
        for (int s = 0; s < SAMPLES; s++) {
            for (int i = 0; i < KEYS; i++) {
                engine.accept(devices[i], "temperature", 1_700_000_000_000L + s * 1_000L, 20 + r.nextGaussian());
            }
        }
        long feedNanos = System.nanoTime() - t0;
        long after = usedAfterGc();
        assertThat(engine.activeKeys()).isEqualTo(KEYS);
        long perKey = (after - before) / KEYS;
        double mib = (after - before) / 1048576.0;
        System.out.printf("%d streams (%s, %d samples each): %.0f MiB retained, %d bytes per stream; %.2f µs per accept%n",
                KEYS, config.detectors().get(0).name(), SAMPLES, mib, perKey, feedNanos / 1e3 / KEYS / SAMPLES);
        assertThat(mib).as("retained MiB for %d streams", KEYS).isLessThan(BUDGET_MIB);
        assertThat(engine.counters().samples()).isEqualTo((long) KEYS * SAMPLES);
    }

    /** The registry's default chain; the single z-score detector until the default is registered. */
    static EngineConfig defaultChain() {
        boolean hasDefault = Detectors.types().stream().map(DetectorType::name).anyMatch(Detectors.DEFAULT::equals);
        return hasDefault ? EngineConfig.defaults()
                : EngineConfig.builder().detector("zscore", Map.of()).build();
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
