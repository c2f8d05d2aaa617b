package dev.fieldline.agent.hal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.agent.driver.Tmp36;
import dev.fieldline.boards.BoardProfile;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TemperatureModelTest {
    private static final BoardProfile.Adc ADC = new BoardProfile.Adc(12, 3.3);

    @Test
    void noiseIsCentredOnTheBaseWithTheConfiguredSpread() {
        SimParameters p = SimParameters.DEFAULTS.withShape(0, 0).withSpikes(0, 0).withNoise(0.5);
        TemperatureModel m = new TemperatureModel(p, 42);
        int n = 20_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            double t = m.sample(Duration.ofSeconds(i));
            sum += t;
            sumSq += t * t;
        }
        double mean = sum / n;
        double sd = Math.sqrt(sumSq / n - mean * mean);
        assertThat(mean).isCloseTo(p.baseTemperature(), within(0.02));
        assertThat(sd).isCloseTo(0.5, within(0.02));
        assertThat(m.spikes()).isZero();
    }

    @Test
    void spikesOccurAtAboutTheConfiguredRate() {
        SimParameters p = SimParameters.DEFAULTS.withShape(0, 0).withNoise(0.1).withSpikes(0.01, 10);
        TemperatureModel m = new TemperatureModel(p, 7);
        int n = 20_000;
        int far = 0;
        for (int i = 0; i < n; i++) {
            if (Math.abs(m.sample(Duration.ofSeconds(i)) - p.baseTemperature()) > 5) {
                far++;
            }
        }
        // expected 200, binomial sd ~14
        assertThat(m.spikes()).isBetween(150L, 250L);
        assertThat(far).isEqualTo((int) m.spikes());
    }

    @Test
    void driftAndDailyCycleShapeTheSignal() {
        SimParameters p = SimParameters.DEFAULTS.withNoise(0).withSpikes(0, 0).withShape(1.0, 2.0);
        TemperatureModel m = new TemperatureModel(p, 1);
        assertThat(m.sample(Duration.ZERO)).isCloseTo(21.0, within(1e-9));
        assertThat(m.sample(Duration.ofHours(6))).isCloseTo(21.0 + 6 + 2, within(1e-9));
        assertThat(m.sample(Duration.ofHours(18))).isCloseTo(21.0 + 18 - 2, within(1e-9));
    }

    @Test
    void sameSeedSameSeries() {
        TemperatureModel a = new TemperatureModel(SimParameters.DEFAULTS, 99);
        TemperatureModel b = new TemperatureModel(SimParameters.DEFAULTS, 99);
        for (int i = 0; i < 100; i++) {
            assertThat(a.sample(Duration.ofSeconds(i))).isEqualTo(b.sample(Duration.ofSeconds(i)));
        }
    }

    @Test
    void adcCountsAreQuantisedAndClampedAndReadBackByTheDriver() {
        assertThat(SimBoard.countsFor(-60, ADC)).isZero();
        assertThat(SimBoard.countsFor(400, ADC)).isEqualTo(4095);
        int raw = SimBoard.countsFor(21.0, ADC);
        assertThat(raw).isEqualTo(Math.round(0.71 / 3.3 * 4095));
        // quantisation error of a 12-bit ADC at 3.3 V is at most half a step: 0.04 °C
        assertThat(Tmp36.celsius(raw, ADC)).isCloseTo(21.0, within(3.3 / 4095 * 100 / 2 + 1e-9));
    }
}
