package dev.fieldline.analytics.detect;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of {@link Detector#update}: any core detector, with its default
 * parameters, fed any sequence of finite values at non-decreasing times, returns a score in [0, 1]
 * and never throws. Runs over the committed inputs in {@code DetectorFuzzTestInputs/update} without
 * {@code JAZZER_FUZZ}; see docs/testing.md, "Fuzzing".
 */
class DetectorFuzzTest {
    private static final List<DetectorType> TYPES = CoreDetectors.types();

    @FuzzTest
    void update(FuzzedDataProvider data) {
        DetectorType type = TYPES.get(data.consumeInt(0, TYPES.size() - 1));
        Detector d = Detectors.factory(type.name(), Map.of()).create();
        long t = 0;
        while (data.remainingBytes() > 0) {
            t += data.consumeInt(0, 1_000_000);
            double v = data.consumeRegularDouble();
            int repeat = data.consumeInt(1, 40); // runs of one value reach the learning thresholds quickly
            for (int i = 0; i < repeat; i++) {
                double s = d.update(t, v);
                if (!(s >= 0 && s <= 1)) {
                    throw new AssertionError(type.name() + " scored " + s + " for " + v);
                }
            }
        }
    }
}
