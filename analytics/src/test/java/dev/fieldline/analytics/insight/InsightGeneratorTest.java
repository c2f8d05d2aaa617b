package dev.fieldline.analytics.insight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Trend;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InsightGeneratorTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final StreamKey TEMP = new StreamKey("greenhouse-3", "temperature");

    private static long[] every(int n, long stepMillis) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * stepMillis;
        }
        return t;
    }

    /** Six hours of minute readings rising 0.8 per hour from 20, noise 0.1. */
    private static double[] rising(int n, double noise, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 20 + 0.8 * i / 60.0 + noise * r.nextGaussian();
        }
        return v;
    }

    @Test
    void risingTemperature() {
        double[] v = rising(360, 0.1, 1);
        Insight in = InsightGenerator.generate(TEMP, every(360, 60_000), v, 360, 0.1);
        assertThat(in.summary()).startsWith("temperature rising 0.8").contains("/h (p<0.001)").contains("next hour ");
        assertThat(in.trend().direction()).isEqualTo(Trend.Direction.INCREASING);
        assertThat(in.trend().slopePerSecond() * 3600).isBetween(0.78, 0.82);
        assertThat(in.actions()).contains("check ventilation or cooling");
        assertThat(in.horizonMillis()).isEqualTo(3_600_000);
        // an hour on: about 20 + 0.8 · 7 = 25.6
        assertThat(in.forecast().orElseThrow().mean(60)).isBetween(25.4, 25.8);
        assertThat(in.confidence()).isGreaterThan(0.8);
        assertThat(in.timeMillis()).isEqualTo(T0 + 359 * 60_000L);
    }

    @Test
    void dailySeasonIsNamedAndForecastFollowsIt() {
        // four days of 5-minute data, a daily cycle of amplitude 4 around 20, noise 0.3
        int n = 4 * 288;
        Random r = new Random(2);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 20 + 4 * Math.sin(2 * Math.PI * i / 288) + 0.3 * r.nextGaussian();
        }
        Insight in = InsightGenerator.generate(TEMP, every(n, 300_000), v, n, 0);
        assertThat(in.seasonality().period()).isEqualTo(288);
        assertThat(in.summary()).contains("daily season (strength 0.").contains("temperature stable");
        double truth = 20 + 4 * Math.sin(2 * Math.PI * (n - 1 + 12) / 288);
        assertThat(in.forecast().orElseThrow().mean(12)).isBetween(truth - 1, truth + 1);
        assertThat(in.actions()).containsExactly("no action needed");
    }

    @Test
    void stuckSensorAndAnomaly() {
        double[] v = rising(100, 0.2, 3);
        for (int i = 80; i < 100; i++) {
            v[i] = 21.25;
        }
        Insight stuck = InsightGenerator.generate(TEMP, every(100, 60_000), v, 100, 0.95);
        assertThat(stuck.actions().get(0)).isEqualTo("inspect sensor greenhouse-3: stuck at 21.25");
        assertThat(stuck.actions()).contains("inspect sensor greenhouse-3", "verify temperature against a second source");
        assertThat(stuck.summary()).contains("anomalous now (score 0.95)");
        Insight watch = InsightGenerator.generate(TEMP, every(100, 60_000), rising(100, 0.2, 3), 100, 0.6);
        assertThat(watch.actions()).contains("watch greenhouse-3/temperature");
    }

    @Test
    void metricDecidesTheAction() {
        double[] v = rising(200, 0.05, 4);
        for (int i = 0; i < v.length; i++) {
            v[i] = 50 - v[i]; // falling
        }
        Insight battery = InsightGenerator.generate(new StreamKey("node-7", "battery_voltage"), every(200, 60_000), v, 200, 0);
        assertThat(battery.summary()).startsWith("battery_voltage falling");
        assertThat(battery.actions()).contains("recharge or replace the battery of node-7");
        Insight other = InsightGenerator.generate(new StreamKey("pump-1", "flow"), every(200, 60_000), v, 200, 0);
        assertThat(other.actions()).contains("investigate the falling flow on pump-1");
    }

    @Test
    void confidenceFallsWithFewerSamplesAndMoreNoise() {
        double many = InsightGenerator.generate(TEMP, every(360, 60_000), rising(360, 0.1, 5), 360, 0).confidence();
        double few = InsightGenerator.generate(TEMP, every(12, 60_000), rising(12, 0.1, 5), 12, 0).confidence();
        double noisy = InsightGenerator.generate(TEMP, every(360, 60_000), rising(360, 3, 5), 360, 0).confidence();
        assertThat(few).isLessThan(many);
        assertThat(noisy).isLessThan(many);
        assertThat(many).isBetween(0.0, 1.0);
    }

    @Test
    void tooFewSamples() {
        Insight in = InsightGenerator.generate(TEMP, new long[] {T0, T0 + 1}, new double[] {1, 2}, 2, 0.97);
        assertThat(in.summary()).isEqualTo("temperature: not enough data (2 samples); anomalous now (score 0.97)");
        assertThat(in.confidence()).isZero();
        assertThat(in.actions()).contains("inspect sensor greenhouse-3");
        assertThat(in.forecast()).isEmpty();
        assertThat(InsightGenerator.generate(TEMP, new long[0], new double[0], 0, 0).actions()).containsExactly("no action needed");
        assertThatThrownBy(() -> InsightGenerator.generate(TEMP, new long[2], new double[2], 3, 0)).hasMessageContaining("n must be");
        assertThatThrownBy(() -> InsightGenerator.generate(TEMP, new long[2], new double[2], 2, 1.5)).hasMessageContaining("anomalyScore");
    }

    @Test
    void constantSeriesIsCalm() {
        double[] v = new double[50];
        java.util.Arrays.fill(v, 7.5);
        Insight in = InsightGenerator.generate(TEMP, every(50, 1000), v, 50, 0);
        assertThat(in.summary()).isEqualTo("temperature stable; next hour 7.500 ± 0.000");
        assertThat(in.actions()).containsExactly("inspect sensor greenhouse-3: stuck at 7.500");
        assertThat(in.confidence()).isBetween(0.0, 1.0);
    }

    @Test
    void namesPeriods() {
        assertThat(InsightGenerator.seasonName(288, 300_000)).isEqualTo("daily");
        assertThat(InsightGenerator.seasonName(2016, 300_000)).isEqualTo("weekly");
        assertThat(InsightGenerator.seasonName(60, 60_000)).isEqualTo("hourly");
        assertThat(InsightGenerator.seasonName(37, 60_000)).isEqualTo("period 37.0 min");
        assertThat(InsightGenerator.seasonName(12, 0)).isEqualTo("period 12 samples");
    }
}
