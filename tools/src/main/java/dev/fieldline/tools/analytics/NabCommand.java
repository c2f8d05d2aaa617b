package dev.fieldline.tools.analytics;

import dev.fieldline.analytics.detect.DetectorFactory;
import dev.fieldline.analytics.nab.NabCorpus;
import dev.fieldline.analytics.nab.NabException;
import dev.fieldline.analytics.nab.NabRun;
import dev.fieldline.analytics.nab.NabScorer.FileResult;
import dev.fieldline.analytics.nab.NabScorer.ProfileResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "nab", mixinStandardHelpOptions = true,
        description = {
            "Run a detector on every series of the Numenta Anomaly Benchmark and score it as NAB does: windows, "
                    + "scaled sigmoid, probationary period, one threshold per profile chosen over the corpus, "
                    + "normalised so that the null detector scores 0 and a perfect one 100.",
            "Prints each profile's score and threshold, the published scoreboard beside ours, and a per-file table."
        })
final class NabCommand implements Callable<Integer> {
    private static final String STANDARD = "standard";

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "A NAB checkout: data/, labels/, config/ (results/ for the scoreboard).")
    Path data;

    @Mixin
    DetectorOptions detector;

    @Option(names = "--threads", paramLabel = "N", description = "Series detected at once (default: the processors, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() {
        DetectorFactory factory = detector.factory();
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, was " + threads);
        }
        NabCorpus corpus;
        try {
            corpus = NabCorpus.load(data);
        } catch (NabException e) {
            throw new IllegalArgumentException("cannot read the NAB corpus: " + e.getMessage(), e);
        }
        long t0 = System.nanoTime();
        NabRun run = NabRun.run(corpus, factory, threads);
        double total = (System.nanoTime() - t0) / 1e9;
        print(System.out, corpus, run, total);
        return 0;
    }

    private void print(PrintStream out, NabCorpus corpus, NabRun run, double totalSeconds) {
        String name = detector.toString();
        out.printf(Locale.ROOT, "NAB: %d series, %,d rows, %d windows; detector %s%n", corpus.files().size(), corpus.rowCount(),
                corpus.windowCount(), name);
        out.printf(Locale.ROOT, "detection %.2f s (%,.0f rows/s on %d threads), with scoring %.2f s%n%n",
                run.detection().toNanos() / 1e9, corpus.rowCount() / Math.max(1e-9, run.detection().toNanos() / 1e9), threads,
                totalSeconds);
        out.printf(Locale.ROOT, "%-20s %9s %11s %11s %12s%n", "profile", "score", "threshold", "raw", "null/perfect");
        for (ProfileResult r : run.results()) {
            out.printf(Locale.ROOT, "%-20s %9.2f %11.6f %11.3f %5.0f/%-5.0f%n", r.profile().name(), r.normalised(), r.threshold(),
                    r.raw(), r.nullScore(), r.perfectScore());
        }
        if (!corpus.published().isEmpty()) {
            out.println();
            out.println("scoreboard (published, results/final_results.json; ours marked *)");
            List<String> profiles = run.results().stream().map(r -> r.profile().name()).toList();
            out.printf(Locale.ROOT, "  %-22s", "detector");
            profiles.forEach(p -> out.printf(Locale.ROOT, " %19s", p));
            out.println();
            List<Map.Entry<String, Map<String, Double>>> rows = new ArrayList<>(corpus.published().entrySet());
            Map<String, Double> ours = new LinkedHashMap<>();
            run.results().forEach(r -> ours.put(r.profile().name(), r.normalised()));
            rows.add(Map.entry("* " + detector.detector, ours));
            rows.sort((a, b) -> Double.compare(b.getValue().getOrDefault(STANDARD, Double.NaN),
                    a.getValue().getOrDefault(STANDARD, Double.NaN)));
            for (Map.Entry<String, Map<String, Double>> e : rows) {
                out.printf(Locale.ROOT, "  %-22s", e.getKey().startsWith("* ") ? e.getKey() : "  " + e.getKey());
                profiles.forEach(p -> {
                    Double v = e.getValue().get(p);
                    out.printf(Locale.ROOT, " %19s", v == null ? "-" : String.format(Locale.ROOT, "%.1f", v));
                });
                out.println();
            }
        }
        ProfileResult perFile = run.results().stream().filter(r -> r.profile().name().equals(STANDARD)).findFirst()
                .orElse(run.results().get(0));
        out.println();
        out.printf(Locale.ROOT, "per file, %s profile (threshold %.6f): TP/FN windows detected/missed, FP detections outside windows%n",
                perFile.profile().name(), perFile.threshold());
        out.printf(Locale.ROOT, "%-55s %7s %7s %4s %5s %4s %8s%n", "file", "rows", "windows", "TP", "FP", "FN", "raw");
        for (FileResult f : perFile.files()) {
            out.printf(Locale.ROOT, "%-55s %7d %7d %4d %5d %4d %8.3f%n", f.name(), f.rows(), f.windows(), f.tp(), f.fp(), f.fn(), f.raw());
        }
        out.flush();
    }
}
