package dev.fieldline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.detect.Detectors;
import dev.fieldline.analytics.engine.Observation;
import org.junit.jupiter.params.provider.ValueSource;

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

    @org.junit.jupiter.api.Test
    void ourZscoreAgainstEsper() {
        EsperPeerBench bench = new EsperPeerBench();
        EsperPeerBench.ZscoreState s = new EsperPeerBench.ZscoreState();
        s.keys = 10;
        s.window = 100;
        s.events = EVENTS;
        s.setUp();
        assertThat(s.feed.accepted()).as("every window filled in setup").isEqualTo(1000);
        assertThat(s.feed.engine().detectorNames()).containsExactly("zscore");
        int anomalies = 0;
        for (int i = 0; i < 3 * EVENTS; i++) {
            Observation o = bench.fieldlineZscore(s);
            assertThat(o).as("no sample refused or out of order").isNotNull();
            if (o.anomalyScore() >= 0.5) {
                anomalies++;
            }
        }
        assertThat(anomalies).as("the synthetic spikes are found").isPositive();
        assertThat(s.feed.engine().activeKeys()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {Detectors.DEFAULT, "zscore"})
    void throughput(String detector) {
        AnalyticsThroughputBench bench = new AnalyticsThroughputBench();
        bench.keys = 10;
        bench.detector = detector;
        bench.events = EVENTS;
        bench.fill = 50;
        bench.setUp();
        assertThat(bench.feed.engine().detectorNames()).containsExactly(detector);
        for (int i = 0; i < 3 * EVENTS; i++) {
            assertThat(bench.accept()).isNotNull();
        }
        Observation o = bench.accept();
        assertThat(o.count()).as("each stream has had its share").isGreaterThan(3L * EVENTS / 10);
        assertThat(bench.feed.engine().summary(new StreamKey(o.key().deviceId(), EngineFeed.METRIC))).isPresent();
    }
}
