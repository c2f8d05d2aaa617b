package dev.fieldline.analytics.nab;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the series decoder ({@code analytics run}'s input and the NAB
 * corpus reader). The contract: for any bytes only {@link NabException} escapes; what decodes has
 * finite values and at most the limit's rows, and written again as {@code timestamp,value} decodes to
 * the same series. Inputs in {@code src/test/resources/dev/fieldline/analytics/nab/SeriesCsvFuzzTestInputs/series};
 * see docs/testing.md, "Fuzzing".
 */
class SeriesCsvFuzzTest {
    static final SeriesCsv.Limits LIMITS = new SeriesCsv.Limits(1000, 64);

    @FuzzTest
    void series(byte[] input) {
        Series s;
        try {
            s = SeriesCsv.read(new ByteArrayInputStream(input), LIMITS);
        } catch (NabException e) {
            if (e.getMessage() == null || e.reason() == null) {
                throw new AssertionError("refusal without a reason or message", e);
            }
            return;
        }
        if (s.size() == 0 || s.size() > LIMITS.maxRows()) {
            throw new AssertionError(s.size() + " rows");
        }
        StringBuilder b = new StringBuilder(SeriesCsv.HEADER).append('\n');
        for (int i = 0; i < s.size(); i++) {
            if (!Double.isFinite(s.values()[i])) {
                throw new AssertionError("non-finite value decoded at row " + i);
            }
            b.append(s.timestamps().get(i)).append(',').append(s.values()[i]).append('\n');
        }
        Series again = SeriesCsv.read(new ByteArrayInputStream(b.toString().getBytes(StandardCharsets.UTF_8)),
                new SeriesCsv.Limits(LIMITS.maxRows(), 256));
        if (!again.timestamps().equals(s.timestamps()) || !Arrays.equals(again.values(), s.values())
                || !Arrays.equals(again.timesMillis(), s.timesMillis())) {
            throw new AssertionError("written again, the series decodes differently");
        }
    }
}
