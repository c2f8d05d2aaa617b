package dev.fieldline.analytics.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Detectors that combine others into one score (the default ensemble). */
final class EnsembleDetectors {
    static final String MEMBERS = "windowed_gaussian";

    private EnsembleDetectors() {
    }

    /** {@code name} or {@code name(k=v;k=v)}, comma-separated. */
    static List<DetectorFactory> members(String spec) {
        List<DetectorFactory> out = new ArrayList<>();
        for (String m : spec.split(",(?![^()]*\\))")) {
            String item = m.trim();
            String name = item;
            Map<String, String> params = new LinkedHashMap<>();
            int open = item.indexOf('(');
            if (open >= 0) {
                if (!item.endsWith(")")) {
                    throw badMembers(spec);
                }
                name = item.substring(0, open).trim();
                for (String kv : item.substring(open + 1, item.length() - 1).split(";")) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw badMembers(spec);
                    }
                    params.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
                }
            }
            if (name.isEmpty() || name.equals("ensemble")) {
                throw badMembers(spec);
            }
            out.add(Detectors.factory(name, params));
        }
        return out;
    }

    private static IllegalArgumentException badMembers(String spec) {
        return new IllegalArgumentException("detector ensemble: parameter members must list other detectors, "
                + "name or name(k=v;k=v), comma-separated, was '" + spec + "'");
    }

    static List<DetectorType> types() {
        return List.of(new DetectorType("ensemble",
                "the default: member detectors calibrated and combined, an anomaly likelihood over the recent "
                        + "average, range novelty, repeats suppressed; tuned on NAB",
                Map.ofEntries(
                        Map.entry("members", "detectors combined, with their defaults (default "),
                        Map.entry("combine", "max, mean or noisy_or of the calibrated member scores (default max)"),
                        Map.entry("average", "values in the short average of the combined score (default 10)"),
                        Map.entry("memory", "weight of a new value in the long-run statistics of that average (default 0.001)"),
                        Map.entry("min_deviation", "floor of every deviation used to judge a surprise (default 0.05)"),
                        Map.entry("range_tolerance", "a value beyond the seen range by this fraction of it scores 1; -1: off (default 0.05)"),
                        Map.entry("alert", "score from which an event counts as reported (default 0.5)"),
                        Map.entry("quiet", "values after a reported event that are held below alert (default 100)"),
                        Map.entry("warmup", "first values that score 0 (default 10)"),
                        Map.entry("calibrate", "judge each member's surprise against its own running mean and deviation (default true)"),
                        Map.entry("member_memory", "weight of a new value in each member's running surprise statistics (default 0.001)")),
                p -> {
                    List<DetectorFactory> members = members(p.text("members", MEMBERS));
                    String c = p.text("combine", "max");
                    EnsembleDetector.Combine combine;
                    try {
                        combine = EnsembleDetector.Combine.valueOf(c.trim().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("detector ensemble: parameter combine must be one of max, mean, noisy_or, was '"
                                + c + "'");
                    }
                    EnsembleDetector.Settings s = new EnsembleDetector.Settings(combine,
                            p.integer("average", 10, 1, 10_000),
                            p.decimal("memory", 0.001, 1e-6, 1),
                            p.decimal("min_deviation", 0.05, 1e-9, 100),
                            p.decimal("range_tolerance", 0.05, -1, 100),
                            p.decimal("alert", 0.5, 0.01, 1),
                            p.integer("quiet", 100, 0, 1_000_000),
                            p.integer("warmup", 10, 0, 1_000_000),
                            p.decimal("member_memory", 0.001, 1e-6, 1),
                            p.bool("calibrate", true));
                    return () -> new EnsembleDetector(members.stream().map(DetectorFactory::create).toList(), s);
                }));
    }
}
