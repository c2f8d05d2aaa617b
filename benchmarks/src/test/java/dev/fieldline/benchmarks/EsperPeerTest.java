package dev.fieldline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EsperPeerTest {

    @ParameterizedTest
    @EnumSource(EsperPeer.Statement.class)
    void aValueBeyondThreeSigmaOfItsOwnKeysWindowIsAnOutput(EsperPeer.Statement statement) {
        try (EsperPeer esper = new EsperPeer(statement, 20)) {
            for (int i = 0; i < 40; i++) {
                esper.send(new EsperReading("a", 20 + (i % 2) * 0.5));
                esper.send(new EsperReading("b", 100 + (i % 2) * 0.5));
            }
            assertThat(esper.outputs()).isZero();
            // 100 is ordinary for b, far out for a: only a's window judges a
            esper.send(new EsperReading("a", 100));
            assertThat(esper.outputs()).isEqualTo(1);
            esper.send(new EsperReading("b", 100.5));
            assertThat(esper.outputs()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(EsperPeer.Statement.class)
    void theWindowSlides(EsperPeer.Statement statement) {
        try (EsperPeer esper = new EsperPeer(statement, 20)) {
            for (int i = 0; i < 20; i++) {
                esper.send(new EsperReading("a", 20 + (i % 2) * 0.5));
            }
            // a level shift is an output at first; once the window holds only new values it is ordinary
            esper.send(new EsperReading("a", 50));
            assertThat(esper.outputs()).isEqualTo(1);
            for (int i = 1; i < 20; i++) {
                esper.send(new EsperReading("a", 50 + (i % 2) * 0.5));
            }
            long afterShift = esper.outputs();
            esper.send(new EsperReading("a", 50.5));
            esper.send(new EsperReading("a", 50));
            assertThat(esper.outputs()).isEqualTo(afterShift);
        }
    }

    @ParameterizedTest
    @EnumSource(EsperPeer.Statement.class)
    void syntheticReadingsSpikeNowAndThen(EsperPeer.Statement statement) {
        SyntheticReadings readings = new SyntheticReadings(10, 1 << 14, 7);
        try (EsperPeer esper = new EsperPeer(statement, 50)) {
            for (int n = 0; n < readings.size(); n++) {
                esper.send(new EsperReading("k" + readings.key(n), readings.value(n)));
            }
            // 0.1 % spikes of 5..10 against noise of about 1: a handful per thousand, not every value
            assertThat(esper.outputs()).isBetween(readings.size() / 2000L, readings.size() / 50L);
        }
    }

    @org.junit.jupiter.api.Test
    void aWindowOfOneIsRefused() {
        assertThatThrownBy(() -> new EsperPeer(EsperPeer.Statement.GROUPWIN, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window");
    }
}
