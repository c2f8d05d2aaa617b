package dev.fieldline.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class ScoresTest {
    @Test
    void halfAtTheThresholdAndMonotone() {
        assertThat(Scores.fromRatio(1)).isEqualTo(0.5);
        assertThat(Scores.fromRatio(-1)).isEqualTo(0.5);
        assertThat(Scores.fromRatio(2)).isCloseTo(16.0 / 17, offset(1e-15));
        assertThat(Scores.fromRatio(0)).isZero();
        assertThat(Scores.fromRatio(Double.NaN)).isZero();
        assertThat(Scores.fromRatio(Double.POSITIVE_INFINITY)).isEqualTo(1);
        assertThat(Scores.fromRatio(Double.MIN_VALUE)).isZero();
        assertThat(Scores.fromRatio(Double.MAX_VALUE)).isEqualTo(1);
        double prev = 0;
        for (double r = 0.001; r < 100; r *= 1.01) {
            double s = Scores.fromRatio(r);
            assertThat(s).isGreaterThanOrEqualTo(prev).isBetween(0.0, 1.0);
            prev = s;
        }
    }

    @Test
    void standardizedDoesNotOverflow() {
        assertThat(Scores.standardized(Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE)).isEqualTo(2);
        assertThat(Scores.standardized(5, 5, 0)).isZero();
        assertThat(Scores.standardized(5, 4, 0)).isInfinite();
        assertThat(Scores.standardized(3, 1, 2)).isEqualTo(1);
    }
}
