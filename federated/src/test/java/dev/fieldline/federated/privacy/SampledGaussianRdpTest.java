package dev.fieldline.federated.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SampledGaussianRdpTest {
    private static final double[] QS = {0.001, 0.00427, 0.01, 0.1, 0.5, 0.9};
    private static final double[] ZS = {0.5, 0.8, 1.1, 2, 5};
    private static final double[] ALPHAS = {1.1, 1.5, 2, 2.5, 3.7, 8.8, 10.9, 16, 32, 63};

    @Test
    void withEveryClientEveryRoundItIsThePlainGaussianMechanism() {
        for (double z : ZS) {
            for (double alpha : ALPHAS) {
                assertThat(SampledGaussianRdp.rdp(1, z, alpha)).isEqualTo(alpha / (2 * z * z));
                // the integral agrees with the closed form, which checks the integrator too
                double integrated = MixtureIntegral.logA(1, z, alpha) / (alpha - 1);
                assertThat(integrated).isCloseTo(alpha / (2 * z * z), within(1e-9 * alpha / (z * z)));
            }
        }
        // and the series approach it as q -> 1
        assertThat(SampledGaussianRdp.rdp(1 - 1e-9, 1.0, 2.5)).isCloseTo(1.25, within(1e-6));
        assertThat(SampledGaussianRdp.rdp(1 - 1e-9, 1.0, 8)).isCloseTo(4.0, within(1e-6));
    }

    @Test
    void seriesAgreeWithNumericalIntegrationOfTheMixtureForIntegerAndFractionalOrders() {
        for (double q : QS) {
            for (double z : ZS) {
                for (double alpha : ALPHAS) {
                    double series = SampledGaussianRdp.rdp(q, z, alpha);
                    double logA = MixtureIntegral.logA(q, z, alpha);
                    double integrated = logA / (alpha - 1);
                    // the alternating fractional series lose digits when the RDP is tiny (q=0.001, α=1.1:
                    // 2.7e-8 relative, 7e-13 absolute; TF Privacy's Python does the same), hence the floor
                    assertThat(series).as("q=%s z=%s alpha=%s", q, z, alpha)
                            .isCloseTo(integrated, within(Math.max(1e-11, 1e-8 * integrated)));
                    // Mironov et al.: A_α ≥ B_α, so the RDP is log A_α / (α − 1)
                    assertThat(MixtureIntegral.logB(q, z, alpha)).as("B <= A at q=%s z=%s alpha=%s", q, z, alpha)
                            .isLessThanOrEqualTo(logA + 1e-12);
                }
            }
        }
    }

    @Test
    void fractionalSeriesJoinTheIntegerExpansionContinuously() {
        for (double q : new double[] {0.01, 0.3}) {
            for (int k : new int[] {2, 5, 11, 40}) {
                double exact = SampledGaussianRdp.logAInteger(q, 1.3, k);
                double below = SampledGaussianRdp.logAFractional(q, 1.3, k - 1e-7);
                double above = SampledGaussianRdp.logAFractional(q, 1.3, k + 1e-7);
                assertThat(below).isLessThanOrEqualTo(exact);
                assertThat(above).isGreaterThanOrEqualTo(exact);
                assertThat(above - below).isLessThan(1e-4 * Math.max(exact, 1e-3));
            }
        }
    }

    @Test
    void growsWithTheOrderAndTheSamplingRateAndShrinksWithTheNoise() {
        double[] orders = SampledGaussianRdp.defaultOrders();
        double previous = 0;
        for (double alpha : orders) {
            double r = SampledGaussianRdp.rdp(0.01, 1.0, alpha);
            assertThat(r).as("alpha=%s", alpha).isGreaterThanOrEqualTo(previous);
            previous = r;
        }
        double prevQ = 0;
        for (double q : QS) {
            double r = SampledGaussianRdp.rdp(q, 1.0, 4.5);
            assertThat(r).isGreaterThan(prevQ);
            prevQ = r;
        }
        double prevZ = Double.POSITIVE_INFINITY;
        for (double z : ZS) {
            double r = SampledGaussianRdp.rdp(0.05, z, 4.5);
            assertThat(r).isLessThan(prevZ);
            prevZ = r;
        }
        assertThat(SampledGaussianRdp.rdp(0, 1, 2)).isZero();
        assertThat(SampledGaussianRdp.rdp(0.1, 0, 2)).isEqualTo(Double.POSITIVE_INFINITY);
    }

    @Test
    void staysFiniteAndNonDecreasingInTheOrderOverAWideGrid() {
        double[] orders = SampledGaussianRdp.defaultOrders();
        for (double lq = -7; lq <= 0; lq += 0.5) {
            double q = Math.min(0.999, Math.pow(10, lq));
            for (double lz = -1; lz <= 2.01; lz += 0.25) {
                double z = Math.pow(10, lz);
                double previous = 0;
                for (double alpha : orders) {
                    double r = SampledGaussianRdp.rdp(q, z, alpha);
                    assertThat(r).as("q=%s z=%s alpha=%s", q, z, alpha).isFinite()
                            .isGreaterThanOrEqualTo(previous * (1 - 1e-9) - 1e-12);
                    previous = r;
                }
            }
        }
    }

    @Test
    void defaultOrdersAreTensorFlowPrivacys() {
        double[] orders = SampledGaussianRdp.defaultOrders();
        assertThat(orders).hasSize(155);
        assertThat(orders[0]).isEqualTo(1.1);
        assertThat(orders[98]).isCloseTo(10.9, within(1e-12));
        assertThat(orders[99]).isEqualTo(11);
        assertThat(orders[151]).isEqualTo(63);
        assertThat(orders).endsWith(128, 256, 512);
    }

    @Test
    void refusesParametersOutsideTheirDomain() {
        assertThatThrownBy(() -> SampledGaussianRdp.rdp(1.5, 1, 2)).hasMessageContaining("q must be");
        assertThatThrownBy(() -> SampledGaussianRdp.rdp(0.1, -1, 2)).hasMessageContaining("z must be");
        assertThatThrownBy(() -> SampledGaussianRdp.rdp(0.1, 1, 1)).hasMessageContaining("alpha must be");
        assertThatThrownBy(() -> SampledGaussianRdp.rdp(Double.NaN, 1, 2)).hasMessageContaining("q must be");
    }
}
