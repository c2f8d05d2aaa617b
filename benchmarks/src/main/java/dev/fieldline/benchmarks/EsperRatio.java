package dev.fieldline.benchmarks;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link EsperPeerBench} (JMH options as for {@code benchmarks.jar}, e.g. {@code -p keys=1000
 * -wi 2 -i 3}) and prints, per key count, our z-score-only engine's events/s, Esper's for each
 * statement formulation, and the ratio ours/Esper.
 */
public final class EsperRatio {
    private EsperRatio() {
    }

    public static void main(String[] args) throws CommandLineOptionException, RunnerException {
        CommandLineOptions cli = new CommandLineOptions(args);
        Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli)
                .include(EsperPeerBench.class.getName() + "\\.").build()).run();
        Map<Integer, Double> ours = new TreeMap<>();
        Map<Integer, Map<String, Double>> esper = new TreeMap<>();
        for (RunResult r : results) {
            int keys = Integer.parseInt(r.getParams().getParam("keys"));
            double score = r.getPrimaryResult().getScore();
            if (r.getParams().getBenchmark().endsWith(".fieldlineZscore")) {
                ours.put(keys, score);
            } else {
                esper.computeIfAbsent(keys, k -> new TreeMap<>()).put(r.getParams().getParam("statement"), score);
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%8s %14s %10s %14s %12s%n", "keys", "ours events/s", "statement", "Esper events/s",
                "ours/Esper");
        for (Map.Entry<Integer, Map<String, Double>> e : esper.entrySet()) {
            Double o = ours.get(e.getKey());
            for (Map.Entry<String, Double> s : e.getValue().entrySet()) {
                System.out.printf(Locale.ROOT, "%8d %14s %10s %14.0f %12s%n", e.getKey(),
                        o == null ? "-" : String.format(Locale.ROOT, "%.0f", o), s.getKey(), s.getValue(),
                        o == null ? "-" : String.format(Locale.ROOT, "%.2f", o / s.getValue()));
            }
        }
    }
}
