package dev.fieldline.analytics.trend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class HoltWintersTest {

    @Test
    void forecastsTrendAndSeasonOfANoiselessSeries() {
        double[] x = new double[144];
        for (int t = 0; t < x.length; t++) {
            x[t] = 10 + 0.1 * t + 3 * Math.sin(2 * Math.PI * t / 12);
        }
        HoltWinters hw = HoltWinters.fit(x, x.length, 12);
        Forecast f = hw.forecast(24, 0.95);
        assertThat(f.method()).isEqualTo("holt-winters");
        for (int h = 1; h <= 24; h++) {
            int t = x.length - 1 + h;
            assertThat(f.mean(h)).as("h=%d", h).isCloseTo(10 + 0.1 * t + 3 * Math.sin(2 * Math.PI * t / 12), offset(0.05));
        }
        assertThat(hw.sigma()).isLessThan(0.05);
    }

    @Test
    void withoutSeasonItIsHolt() {
        double[] x = new double[50];
        for (int t = 0; t < x.length; t++) {
            x[t] = 3 - 0.5 * t;
        }
        Forecast f = HoltWinters.fit(x, x.length, 0).forecast(3, 0.95);
        assertThat(f.method()).isEqualTo("holt");
        assertThat(f.mean(1)).isCloseTo(3 - 0.5 * 50, offset(1e-9));
        assertThat(f.mean(3)).isCloseTo(3 - 0.5 * 52, offset(1e-9));
        assertThat(f.halfWidth(3)).isCloseTo(0, offset(1e-9));
        // a season longer than half the data cannot be initialised: Holt instead
        assertThat(HoltWinters.fit(x, x.length, 30).period()).isZero();
        assertThat(HoltWinters.fit(new double[] {7}, 1, 0).forecast(2, 0.9).method()).isEqualTo("last");
    }

    @Test
    void intervalWidensWithTheHorizonAsStated() {
        Random r = new Random(1);
        double[] x = new double[300];
        for (int t = 0; t < x.length; t++) {
            x[t] = 20 + r.nextGaussian();
        }
        HoltWinters hw = HoltWinters.fit(x, x.length, 0, 0.3, 0.1, 0);
        Forecast f = hw.forecast(5, 0.95);
        double z = 1.959964;
        double sum = 0;
        for (int h = 1; h <= 5; h++) {
            assertThat(f.halfWidth(h)).isCloseTo(z * hw.sigma() * Math.sqrt(1 + sum), offset(1e-6));
            double c = 0.3 * (1 + h * 0.1);
            sum += c * c;
            if (h > 1) {
                assertThat(f.halfWidth(h)).isGreaterThan(f.halfWidth(h - 1));
            }
        }
    }

    @Test
    void nextValueFallsInThe95PercentIntervalAboutAsOftenAsItSays() {
        int inside = 0;
        int runs = 200;
        for (int seed = 0; seed < runs; seed++) {
            Random r = new Random(seed);
            double[] x = new double[241];
            for (int t = 0; t < x.length; t++) {
                x[t] = 5 + 2 * Math.sin(2 * Math.PI * t / 24) + 0.5 * r.nextGaussian();
            }
            Forecast f = HoltWinters.fit(x, 240, 24).forecast(1, 0.95);
            if (x[240] >= f.lower(1) && x[240] <= f.upper(1)) {
                inside++;
            }
        }
        assertThat((double) inside / runs).isBetween(0.90, 0.98);
    }

    @Test
    void gridSearchBeatsAFixedGuess() {
        Random r = new Random(2);
        double[] x = new double[200];
        double level = 0;
        for (int t = 0; t < x.length; t++) {
            level += 0.3 * r.nextGaussian();
            x[t] = level + 0.2 * r.nextGaussian();
        }
        assertThat(HoltWinters.fit(x, x.length, 0).sigma())
                .isLessThanOrEqualTo(HoltWinters.fit(x, x.length, 0, 0.5, 0.1, 0).sigma());
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> HoltWinters.fit(new double[3], 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HoltWinters.fit(new double[3], 3, 0, 1.5, 0, 0)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> HoltWinters.fit(new double[3], 3, 0).forecast(0, 0.95)).hasMessageContaining("horizon");
        assertThatThrownBy(() -> HoltWinters.predictNextValue(new double[0])).hasMessageContaining("at least one");
    }

    @Test
    void predictNextValueExtrapolatesTheLeastSquaresLine() {
        assertThat(HoltWinters.predictNextValue(new double[] {1, 2, 3})).isCloseTo(4, offset(1e-12));
        assertThat(HoltWinters.predictNextValue(new double[] {5})).isEqualTo(5);
        assertThat(HoltWinters.predictNextValue(new double[] {2, 2, 2, 2})).isCloseTo(2, offset(1e-12));
        // 1, 3, 2, 4: slope 0.8, intercept 1.3 → 1.3 + 0.8·4
        assertThat(HoltWinters.predictNextValue(new double[] {1, 3, 2, 4})).isCloseTo(4.5, offset(1e-12));
    }

    @Test
    void normalQuantile() {
        assertThat(HoltWinters.normalQuantile(0.975)).isCloseTo(1.959963985, offset(1e-8));
        assertThat(HoltWinters.normalQuantile(0.5)).isCloseTo(0, offset(1e-12));
        assertThat(HoltWinters.normalQuantile(0.001)).isCloseTo(-3.090232306, offset(1e-8));
    }
}
