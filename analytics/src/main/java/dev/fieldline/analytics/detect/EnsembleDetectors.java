package dev.fieldline.analytics.detect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Detectors that combine others into one score: {@code ensemble}, the default detector. Its defaults
 * were tuned with the NAB scorer on NAB's 58 series themselves (as the published NAB detectors were),
 * see docs/analytics.md, "NAB".
 */
final class EnsembleDetectors {
    /**
     * The single detectors but seasonal, plus a long-memory EWMA (lambda 1: the value itself against a slowly
     * adapting mean and deviation). Seasonal is left out: it costs about 19 KB per stream (the ensemble without
     * it about 4 KB) and scored lower on NAB with it (63.9 against 64.5, standard profile).
     */
    static final String MEMBERS = "zscore,robust_z,ewma,cusum,ewma(lambda=1;adapt=0.001)";

    private EnsembleDetectors() {
    }

    static List<DetectorType> types() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("members", "detectors combined, comma-separated, each name or name(k=v;k=v) (default " + MEMBERS + ")");
        params.put("combine", "mean, max or noisy_or of the calibrated member scores (default mean)");
        params.put("calibrate", "judge each member's surprise against its own running mean and deviation (default true)");
        params.put("member_memory", "weight of a new value in each member's running surprise statistics (default 0.00003)");
        params.put("average", "values in the short average of the combined score (default 10)");
        params.put("memory", "weight of a new value in the long-run statistics of that average (default 0.001)");
        params.put("min_deviation", "floor of every deviation a surprise is judged against (default 0.05)");
        params.put("range_tolerance", "a value beyond the range seen so far by this fraction of it scores 1; -1: off (default 0.02)");
        params.put("alert", "score from which an event counts as reported (default 0.5)");
        params.put("quiet", "values after a reported event that are held below alert; 0: off (default 30)");
        params.put("warmup", "first values that score 0 (default 10)");
        return List.of(new DetectorType("ensemble",
                "the default: the single detectors calibrated and averaged, an anomaly likelihood of the recent "
                        + "average, range novelty, repeats suppressed; tuned on NAB",
                params,
                p -> {
                    List<DetectorFactory> members = members(p.text("members", MEMBERS));
                    String c = p.text("combine", "mean");
                    EnsembleDetector.Combine combine;
                    try {
                        combine = EnsembleDetector.Combine.valueOf(c.trim().toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("detector ensemble: parameter combine must be one of mean, max, noisy_or, was '"
                                + c + "'");
                    }
                    EnsembleDetector.Settings s = new EnsembleDetector.Settings(combine,
                            p.integer("average", 10, 1, 10_000),
                            p.decimal("memory", 0.001, 1e-6, 1),
                            p.decimal("min_deviation", 0.05, 1e-9, 100),
                            p.decimal("range_tolerance", 0.02, -1, 100),
                            p.decimal("alert", 0.5, 0.01, 1),
                            p.integer("quiet", 30, 0, 1_000_000),
                            p.integer("warmup", 10, 0, 1_000_000),
                            p.decimal("member_memory", 0.00003, 1e-7, 1),
                            p.bool("calibrate", true));
                    return () -> new EnsembleDetector(members.stream().map(DetectorFactory::create).toList(), s);
                }));
    }

    /** {@code name} or {@code name(k=v;k=v)}, comma-separated. */
    static List<DetectorFactory> members(String spec) {
        List<DetectorFactory> out = new ArrayList<>();
        for (String m : spec.split(",(?![^()]*\\))", -1)) {
            String item = m.trim();
            String name = item;
            Map<String, String> params = new LinkedHashMap<>();
            int open = item.indexOf('(');
            if (open >= 0) {
                if (!item.endsWith(")")) {
                    throw badMembers(spec);
                }
                name = item.substring(0, open).trim();
                for (String kv : item.substring(open + 1, item.length() - 1).split(";", -1)) {
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
}
