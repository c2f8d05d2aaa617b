package dev.fieldline.analytics.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StudentTTest {
    @Test
    void closedFormsForOneAndTwoDegreesOfFreedom() {
        for (double t : new double[] {0, 0.3, 1, 2.5, 10, 100}) {
            // df = 1 is Cauchy: p = 1 - 2/π·atan|t|; df = 2: p = 1 - |t|/sqrt(2 + t²)
            assertThat(StudentT.twoSidedP(t, 1)).isCloseTo(1 - 2 / Math.PI * Math.atan(t), within(1e-12));
            assertThat(StudentT.twoSidedP(-t, 2)).isCloseTo(1 - t / Math.sqrt(2 + t * t), within(1e-12));
        }
    }

    @Test
    void tableValues() {
        // two-sided 5% critical values from the t table
        assertThat(StudentT.twoSidedP(12.706, 1)).isCloseTo(0.05, within(1e-4));
        assertThat(StudentT.twoSidedP(2.228, 10)).isCloseTo(0.05, within(1e-4));
        assertThat(StudentT.twoSidedP(2.042, 30)).isCloseTo(0.05, within(1e-4));
        assertThat(StudentT.twoSidedP(1.960, 1e7)).isCloseTo(0.05, within(1e-4));
        // 1% two-sided at df 5: 4.032; 0.1% at df 20: 3.850
        assertThat(StudentT.twoSidedP(4.032, 5)).isCloseTo(0.01, within(1e-5));
        assertThat(StudentT.twoSidedP(3.850, 20)).isCloseTo(0.001, within(1e-5));
        assertThat(StudentT.cdf(1.812, 10)).isCloseTo(0.95, within(1e-4));
        assertThat(StudentT.cdf(-1.812, 10)).isCloseTo(0.05, within(1e-4));
        assertThat(StudentT.cdf(0, 7)).isEqualTo(0.5);
        assertThat(StudentT.twoSidedP(Double.POSITIVE_INFINITY, 3)).isZero();
    }

    @Test
    void incompleteBetaKnownValues() {
        // I_x(1, 1) = x; I_x(a, 1) = x^a; I_0.5(a, a) = 0.5
        assertThat(StudentT.regularizedIncompleteBeta(0.3, 1, 1)).isCloseTo(0.3, within(1e-13));
        assertThat(StudentT.regularizedIncompleteBeta(0.7, 3.5, 1)).isCloseTo(Math.pow(0.7, 3.5), within(1e-13));
        assertThat(StudentT.regularizedIncompleteBeta(0.5, 40, 40)).isCloseTo(0.5, within(1e-12));
        assertThat(StudentT.logGamma(10)).isCloseTo(Math.log(362880), within(1e-10));
        assertThat(StudentT.logGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-12));
        assertThatThrownBy(() -> StudentT.twoSidedP(1, 0)).hasMessageContaining("degrees of freedom must be > 0");
    }
}
