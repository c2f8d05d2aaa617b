package dev.fieldline.tools.analytics;

import dev.fieldline.analytics.detect.Detector;
import dev.fieldline.analytics.nab.NabException;
import dev.fieldline.analytics.nab.SeriesCsv;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Score a series with a detector, as live data would arrive: one row at a time, in file order, no look-ahead.",
            "Input: NAB format, a header 'timestamp,value' then rows 'yyyy-MM-dd HH:mm:ss,number'.",
            "Output: 'timestamp,value,anomaly_score', one row per input row with the input's timestamp and value "
                    + "as written and the score in [0, 1].",
            "Bad input: exit code 2 and a message naming the line; nothing is written."
        })
final class RunCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, paramLabel = "SERIES.csv", description = "The series to score.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "SCORES.csv", description = "Where to write the scores.")
    Path output;

    @Mixin
    DetectorOptions detector;

    @Option(names = "--max-rows", defaultValue = "10000000", description = "Refuse a series longer than this (default ${DEFAULT-VALUE}).")
    int maxRows;

    @Override
    public Integer call() throws IOException {
        Detector d = detector.factory().create();
        Path tmp = output.toAbsolutePath().resolveSibling(output.getFileName() + ".tmp");
        long rows = 0;
        try (InputStream in = Files.newInputStream(input);
                Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8), 1 << 16)) {
            SeriesCsv.Decoder rowsIn = SeriesCsv.decoder(in, new SeriesCsv.Limits(maxRows, SeriesCsv.Limits.DEFAULT.maxLineLength()));
            out.write("timestamp,value,anomaly_score\n");
            long time = Long.MIN_VALUE;
            while (rowsIn.next()) {
                time = SeriesCsv.monotonic(time, rowsIn.timeMillis());
                double score = d.update(time, rowsIn.value());
                out.write(rowsIn.timestamp());
                out.write(',');
                out.write(rowsIn.valueText());
                out.write(',');
                out.write(decimal(score));
                out.write('\n');
                rows++;
            }
        } catch (NoSuchFileException e) {
            Files.deleteIfExists(tmp);
            throw new IllegalArgumentException("no such file: " + input);
        } catch (NabException e) {
            Files.deleteIfExists(tmp);
            throw new IllegalArgumentException(input + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("scored " + rows + " rows of " + input + " with " + detector + " into " + output);
        return 0;
    }

    /** A score as a plain decimal (never exponent notation), exact to the double. */
    static String decimal(double d) {
        String s = Double.toString(d);
        return s.indexOf('E') < 0 ? s : BigDecimal.valueOf(d).toPlainString();
    }
}
