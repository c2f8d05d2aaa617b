package dev.fieldline.federated.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LogMathTest {

    /** log erfc(x) to 20 digits from mpmath at 30 significant digits. */
    private static final double[][] LOG_ERFC = {
        {-6.0, 0.69314718055994529866},
        {-2.5, 0.69294368384717120098},
        {-2.0, 0.69080557364658765676},
        {-1.5, 0.67605450273396056397},
        {-0.3, 0.28414589714140825002},
        {0.0, 0.0},
        {0.3, -0.3984300514400852726},
        {1.0, -1.8496055099332482486},
        {1.5, -3.3844920895515527203},
        {1.99, -5.3208520151399766953},
        {2.0, -5.3649412646166375745},
        {2.01, -5.4092152641902468268},
        {3.0, -10.720363041981112568},
        {5.0, -27.200889545537434422},
        {10.0, -102.87988902484488857},
        {27.0, -732.86888650789741098},
        {100.0, -10005.177585122664333},
    };

    @Test
    void logErfcMatchesHighPrecisionValuesOnBothSidesOfTheSwitchBetweenSeriesAndContinuedFraction() {
        for (double[] p : LOG_ERFC) {
            double expected = p[1];
            assertThat(LogMath.logErfc(p[0])).as("log erfc(%s)", p[0])
                    .isCloseTo(expected, within(Math.max(1e-15, Math.abs(expected) * 1e-13)));
        }
        assertThat(LogMath.logErfc(Double.POSITIVE_INFINITY)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(LogMath.logErfc(Double.NEGATIVE_INFINITY)).isCloseTo(Math.log(2), within(1e-15));
    }

    @Test
    void logAddAndLogSubAreExactInverseOperationsOnLogs() {
        assertThat(LogMath.logAdd(Math.log(3), Math.log(5))).isCloseTo(Math.log(8), within(1e-15));
        assertThat(LogMath.logAdd(Double.NEGATIVE_INFINITY, 2.0)).isEqualTo(2.0);
        assertThat(LogMath.logSub(Math.log(8), Math.log(5))).isCloseTo(Math.log(3), within(1e-15));
        assertThat(LogMath.logSub(1.0, 1.0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(LogMath.logSub(1000.0, -1000.0)).isEqualTo(1000.0);
    }
}
