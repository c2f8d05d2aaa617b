package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.testsupport.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fieldline analytics run|nab|detectors} as scripts use them. */
class AnalyticsCommandTest {
    @TempDir
    Path dir;

    /** 600 rows, 5-minute steps, a slow daily-ish wave with small noise, and a spike at row 450. */
    private Path series() throws IOException {
        StringBuilder b = new StringBuilder("timestamp,value\n");
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 600; i++) {
            double v = 50 + 10 * Math.sin(i * 2 * Math.PI / 288) + r.nextGaussian() * 0.5 + (i == 450 ? 80 : 0);
            b.append(String.format("2024-03-%02d %02d:%02d:00,%.3f%n", 1 + i / 288, (i % 288) / 12, (i % 12) * 5, v));
        }
        Path in = dir.resolve("series.csv");
        Files.writeString(in, b.toString());
        return in;
    }

    @Test
    void runWritesTimestampValueAndScoreForEveryRowInOrder() throws IOException {
        Path in = series();
        Path out = dir.resolve("scores.csv");
        CliTest.Run r = CliTest.run("analytics", "run", "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> input = Files.readAllLines(in);
        List<String> output = Files.readAllLines(out);
        assertThat(output.get(0)).isEqualTo("timestamp,value,anomaly_score");
        assertThat(output).hasSameSizeAs(input);
        List<Double> scores = new ArrayList<>();
        for (int i = 1; i < input.size(); i++) {
            String[] f = output.get(i).split(",");
            assertThat(f).hasSize(3);
            assertThat(f[0] + "," + f[1]).isEqualTo(input.get(i));
            assertThat(f[2]).doesNotContain("E");
            double s = Double.parseDouble(f[2]);
            assertThat(s).isBetween(0.0, 1.0);
            scores.add(s);
        }
        // the spike is the highest score of the series, and the quiet rows around it are far lower
        int spike = 450;
        assertThat(scores.get(spike)).isEqualTo(scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        assertThat(scores.get(spike)).isGreaterThanOrEqualTo(0.5);
        assertThat(scores.subList(300, 440)).allSatisfy(s -> assertThat(s).isLessThan(0.5));
    }

    @Test
    void runIsCausalAScoreDoesNotDependOnLaterRows() throws IOException {
        Path in = series();
        List<String> lines = Files.readAllLines(in);
        Path head = dir.resolve("head.csv");
        Files.write(head, lines.subList(0, 301));
        CliTest.Run a = CliTest.run("analytics", "run", "--input", in.toString(), "--output", dir.resolve("all.csv").toString());
        CliTest.Run b = CliTest.run("analytics", "run", "--input", head.toString(), "--output", dir.resolve("head-out.csv").toString(),
                "--detector", "ensemble");
        assertThat(a.code()).isZero();
        assertThat(b.code()).isZero();
        assertThat(Files.readAllLines(dir.resolve("head-out.csv"))).isEqualTo(Files.readAllLines(dir.resolve("all.csv")).subList(0, 301));
    }

    @Test
    void badInputExitsWithCodeTwoNamingTheLineAndWritesNothing() throws IOException {
        Path in = dir.resolve("bad.csv");
        Files.writeString(in, "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:05:00,NaN\n");
        Path out = dir.resolve("out.csv");
        CliTest.Run r = CliTest.run("analytics", "run", "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("bad.csv: line 3: value 'NaN' is not a decimal number");
        assertThat(out).doesNotExist();
        assertThat(dir.resolve("out.csv.tmp")).doesNotExist();
    }

    @Test
    void anUnknownDetectorOrParameterListsTheValidOnes() throws IOException {
        Path in = series();
        CliTest.Run r = CliTest.run("analytics", "run", "--input", in.toString(), "--output", dir.resolve("o.csv").toString(),
                "--detector", "nope");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no detector called 'nope'; known: ", "ensemble", "windowed_gaussian");
        r = CliTest.run("analytics", "run", "--input", in.toString(), "--output", dir.resolve("o.csv").toString(),
                "--detector", "windowed_gaussian", "--param", "widnow=10");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("detector windowed_gaussian has no parameter widnow; it takes step, window");
        r = CliTest.run("analytics", "run", "--input", in.toString(), "--output", dir.resolve("o.csv").toString(),
                "--detector", "windowed_gaussian", "--param", "window=-3");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("parameter window must be an integer in [2, 10000000], was '-3'");
    }

    @Test
    void detectorsListsEveryDetectorWithItsParametersAndTheDefault() {
        CliTest.Run r = CliTest.run("analytics", "detectors");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("ensemble (default): ", "windowed_gaussian: ", "    window: values in the window (default 6400",
                "    quiet: ");
    }

    @Test
    void nabScoresASmallCorpusPrintingProfilesScoreboardAndFiles() throws IOException {
        Path nab = dir.resolve("nab");
        Files.createDirectories(nab.resolve("data/demo"));
        Files.createDirectories(nab.resolve("labels"));
        Files.createDirectories(nab.resolve("config"));
        Files.createDirectories(nab.resolve("results"));
        Files.copy(series(), nab.resolve("data/demo/spike.csv"));
        List<String> rows = Files.readAllLines(nab.resolve("data/demo/spike.csv"));
        String start = rows.get(1 + 440).split(",")[0];
        String end = rows.get(1 + 470).split(",")[0];
        Files.writeString(nab.resolve("labels/combined_windows.json"),
                "{\"demo/spike.csv\": [[\"" + start + ".000000\", \"" + end + ".000000\"]]}", StandardCharsets.UTF_8);
        Files.writeString(nab.resolve("config/profiles.json"),
                "{\"standard\": {\"CostMatrix\": {\"tpWeight\": 1.0, \"fnWeight\": 1.0, \"fpWeight\": 0.11, \"tnWeight\": 1.0}},"
                        + "\"reward_low_FN_rate\": {\"CostMatrix\": {\"tpWeight\": 1.0, \"fnWeight\": 2.0, \"fpWeight\": 0.11, \"tnWeight\": 1.0}}}");
        Files.writeString(nab.resolve("results/final_results.json"),
                "{\"null\": {\"standard\": 0.0, \"reward_low_FN_rate\": 0.0}, \"windowedGaussian\": {\"standard\": 39.6}}");
        CliTest.Run r = CliTest.run("analytics", "nab", "--data", nab.toString(), "--threads", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("NAB: 1 series, 600 rows, 1 windows; detector ensemble", "standard", "reward_low_FN_rate",
                "scoreboard", "windowedGaussian", "39.6", "* ensemble",
                "demo/spike.csv                                              600       1    1");
        // the spike is caught early in its window with no false positive: near the perfect 100
        String standard = r.out().lines().filter(l -> l.startsWith("standard ")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(standard.trim().split("\\s+")[1])).isGreaterThan(60);
    }

    @Test
    void nabOnADirectoryThatIsNotACorpusSaysWhatIsMissing() {
        CliTest.Run r = CliTest.run("analytics", "nab", "--data", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("has no data/ directory; expected a NAB checkout");
    }

    @Test
    @Tag("conformance")
    void nabOnTheRealCorpusPrintsOurWindowedGaussianBesideThePublishedOne() {
        Path nab = SharedData.require("nab");
        CliTest.Run r = CliTest.run("analytics", "nab", "--data", nab.toString(), "--detector", "windowed_gaussian");
        assertThat(r.code()).as(r.err()).isZero();
        System.out.println(r.out());
        assertThat(r.out()).contains("NAB: 58 series, 365,558 rows, 116 windows; detector windowed_gaussian",
                "* windowed_gaussian", "  windowedGaussian", "39.6", "realKnownCause/nyc_taxi.csv");
        String standard = r.out().lines().filter(l -> l.startsWith("standard ")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(standard.trim().split("\\s+")[1])).isBetween(37.6, 41.6);
    }
}
