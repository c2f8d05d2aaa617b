package dev.fieldline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each benchmark's setup and a few operations, tiny, so the build catches a broken benchmark in
 * seconds without running JMH (which only {@code benchmarks.jar} does).
 */
class BenchmarkSetupTest {
    private static final int EVENTS = 4096;

    @ParameterizedTest
    @EnumSource(EsperPeer.Statement.class)
    void esperPeer(EsperPeer.Statement statement) {
        EsperPeerBench bench = new EsperPeerBench();
        EsperPeerBench.EsperState s = new EsperPeerBench.EsperState();
        s.keys = 10;
        s.window = 100;
        s.statement = statement;
        s.events = EVENTS;
        s.setUp();
        try {
            assertThat(s.sent).as("every window filled in setup").isEqualTo(1000);
            for (int i = 0; i < 3 * EVENTS; i++) {
                bench.esper(s);
            }
            assertThat(s.esper.outputs()).as("the synthetic spikes are found").isPositive();
        } finally {
            s.tearDown();
        }
    }
}
