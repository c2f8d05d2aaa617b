package dev.fieldline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyntheticReadingsTest {

    @Test
    void everyKeyReportsOncePerSecondAndTimeNeverGoesBackAcrossLaps() {
        SyntheticReadings r = new SyntheticReadings(1000, 4096, 1);
        assertThat(r.size()).isEqualTo(5000);
        Map<Integer, Long> lastTime = new HashMap<>();
        long previous = Long.MIN_VALUE;
        for (long lap = 0; lap < 3; lap++) {
            for (int i = 0; i < r.size(); i++) {
                long t = r.timeMillis(i, lap);
                assertThat(t).isGreaterThanOrEqualTo(previous);
                Long last = lastTime.put(r.key(i), t);
                if (last != null) {
                    assertThat(t - last).as("key %d at event %d of lap %d", r.key(i), i, lap).isBetween(1L, 2000L);
                }
                previous = t;
            }
        }
        assertThat(lastTime).hasSize(1000);
    }

    @Test
    void valuesStayNearEachKeysLevelWithRareSpikes() {
        SyntheticReadings r = new SyntheticReadings(1, 1 << 16, 3);
        int jumps = 0;
        for (int n = 1; n < r.size(); n++) {
            assertThat(r.value(n)).isBetween(0.0, 50.0);
            if (Math.abs(r.value(n) - r.value(n - 1)) > 4) {
                jumps++;
            }
        }
        // a spike is a jump up and a jump back: about 2 per 1000 values
        assertThat(jumps).isBetween(r.size() / 1000, r.size() / 200);
    }

    @Test
    void theSameSeedGivesTheSameReadings() {
        SyntheticReadings a = new SyntheticReadings(7, 1000, 5);
        SyntheticReadings b = new SyntheticReadings(7, 1000, 5);
        for (int n = 0; n < a.size(); n++) {
            assertThat(a.key(n)).isEqualTo(b.key(n));
            assertThat(a.value(n)).isEqualTo(b.value(n));
        }
    }

    @Test
    void badShapesAreRefused() {
        assertThatThrownBy(() -> new SyntheticReadings(0, 1000, 1)).hasMessageContaining("keys");
        assertThatThrownBy(() -> new SyntheticReadings(1, 0, 1)).hasMessageContaining("minEvents");
        assertThatThrownBy(() -> new SyntheticReadings(100_000, SyntheticReadings.MAX_EVENTS, 1))
                .hasMessageContaining("exceed");
    }
}
