package dev.fieldline.agent.hal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnomalyTest {
    private static final SimParameters QUIET = SimParameters.DEFAULTS.withShape(0, 0).withSpikes(0, 0).withNoise(0.1);

    @Test
    void aSpikeOffsetsExactlyTheNextSample() {
        TemperatureModel plain = new TemperatureModel(QUIET, 3);
        TemperatureModel spiked = new TemperatureModel(QUIET, 3);
        for (int i = 0; i < 10; i++) {
            if (i == 4) {
                spiked.inject(new Anomaly.Spike(-9));
            }
            double a = plain.sample(Duration.ofSeconds(i));
            double b = spiked.sample(Duration.ofSeconds(i));
            assertThat(b - a).isCloseTo(i == 4 ? -9 : 0, within(1e-9));
        }
        assertThat(spiked.spikes()).isEqualTo(1);
    }

    @Test
    void aDriftRampsForItsDurationAndTheOffsetStays() {
        TemperatureModel plain = new TemperatureModel(QUIET, 5);
        TemperatureModel drifting = new TemperatureModel(QUIET, 5);
        for (int i = 0; i < 30; i++) {
            if (i == 10) {
                drifting.inject(new Anomaly.Drift(0.5, Duration.ofSeconds(10)));
            }
            double d = drifting.sample(Duration.ofSeconds(i)) - plain.sample(Duration.ofSeconds(i));
            double expected = i < 10 ? 0 : Math.min(i - 10, 10) * 0.5;
            assertThat(d).as("sample %d", i).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void aStuckSensorRepeatsItsLastValueThenRecovers() {
        TemperatureModel m = new TemperatureModel(QUIET, 9);
        double before = m.sample(Duration.ofSeconds(0));
        m.inject(new Anomaly.Stuck(Duration.ofSeconds(5)));
        for (int i = 1; i <= 5; i++) {
            assertThat(m.sample(Duration.ofSeconds(i))).isEqualTo(before);
        }
        assertThat(m.sample(Duration.ofSeconds(6))).isNotEqualTo(before);
    }
}
