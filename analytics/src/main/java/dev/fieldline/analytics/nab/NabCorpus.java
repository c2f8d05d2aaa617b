package dev.fieldline.analytics.nab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The NAB corpus as published by {@code numenta/NAB}: {@code data/<folder>/<name>.csv} series,
 * {@code labels/combined_windows.json} (the scoring windows per file, limits are row timestamps),
 * {@code config/profiles.json} (cost matrices) and, optionally, {@code results/final_results.json}
 * (the published normalised scores).
 *
 * @param files every series with its windows, by relative name ({@code realKnownCause/nyc_taxi.csv}), sorted
 * @param profiles the scoring profiles in file order
 * @param published detector → profile → published normalised score (empty without the results file)
 */
public record NabCorpus(List<LabelledSeries> files, List<Profile> profiles, Map<String, Map<String, Double>> published) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 16 << 20;

    public NabCorpus {
        files = List.copyOf(files);
        profiles = List.copyOf(profiles);
        published = Map.copyOf(published);
    }

    /** An anomaly window as inclusive row indices. */
    public record Window(int start, int end) {
        public Window {
            if (start < 0 || end < start) {
                throw new IllegalArgumentException("bad window [" + start + ", " + end + "]");
            }
        }

        public int length() {
            return end - start + 1;
        }
    }

    /** One series of the corpus with its windows in time order. */
    public record LabelledSeries(String name, Series series, List<Window> windows) {
        public LabelledSeries {
            windows = List.copyOf(windows);
        }
    }

    /** A scoring profile: the weights of a true positive, a false positive and a false negative. */
    public record Profile(String name, double tpWeight, double fpWeight, double fnWeight) {
    }

    /** Loads a corpus directory laid out as {@code numenta/NAB}'s repository. */
    public static NabCorpus load(Path root) {
        Path data = root.resolve("data");
        if (!Files.isDirectory(data)) {
            throw corpus(root + " has no data/ directory; expected a NAB checkout (data/, labels/, config/)");
        }
        JsonNode windows = json(root.resolve("labels/combined_windows.json"));
        JsonNode profilesJson = json(root.resolve("config/profiles.json"));
        Path resultsFile = root.resolve("results/final_results.json");
        Map<String, Map<String, Double>> published = Files.exists(resultsFile) ? published(json(resultsFile)) : Map.of();

        Map<String, Path> csvs = new TreeMap<>();
        try (Stream<Path> s = Files.walk(data, 2)) {
            s.filter(p -> p.getFileName().toString().endsWith(".csv") && data.relativize(p).getNameCount() == 2)
                    .forEach(p -> csvs.put(data.relativize(p).toString().replace('\\', '/'), p));
        } catch (IOException e) {
            throw new NabException(NabException.Reason.IO, "cannot list " + data + ": " + e.getMessage(), e);
        }
        if (csvs.isEmpty()) {
            throw corpus(data + " holds no <folder>/<name>.csv series");
        }
        List<LabelledSeries> files = new ArrayList<>();
        for (Map.Entry<String, Path> e : csvs.entrySet()) {
            JsonNode w = windows.get(e.getKey());
            if (w == null || !w.isArray()) {
                throw corpus("labels/combined_windows.json has no window list for " + e.getKey());
            }
            Series s;
            try (InputStream in = Files.newInputStream(e.getValue())) {
                s = SeriesCsv.read(in, SeriesCsv.Limits.DEFAULT);
            } catch (IOException x) {
                throw new NabException(NabException.Reason.IO, "cannot read " + e.getValue() + ": " + x.getMessage(), x);
            } catch (NabException x) {
                throw new NabException(x.reason(), e.getKey() + ": " + x.getMessage(), x);
            }
            files.add(new LabelledSeries(e.getKey(), s, windows(e.getKey(), s, w)));
        }
        return new NabCorpus(files, profiles(profilesJson), published);
    }

    /** The profile of this name. */
    public Profile profile(String name) {
        return profiles.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no profile " + name));
    }

    /** All windows in the corpus. */
    public int windowCount() {
        return files.stream().mapToInt(f -> f.windows().size()).sum();
    }

    public int rowCount() {
        return files.stream().mapToInt(f -> f.series().size()).sum();
    }

    /**
     * Window limits are timestamps ({@code 2014-04-10 16:15:00.000000}) of rows of the file, as NAB's
     * sweeper requires (it finds them by equality, first occurrence); a window covers the rows from
     * its start row to its end row. Windows must be in order and not overlap.
     */
    private static List<Window> windows(String file, Series s, JsonNode list) {
        List<Window> out = new ArrayList<>();
        int prevEnd = -1;
        for (JsonNode w : list) {
            if (!w.isArray() || w.size() != 2 || !w.get(0).isTextual() || !w.get(1).isTextual()) {
                throw corpus("labels/combined_windows.json, " + file + ": a window must be [start, end] timestamps, was " + w);
            }
            int start = s.indexOf(limit(file, w.get(0).asText()));
            int end = s.indexOf(limit(file, w.get(1).asText()));
            if (start < 0 || end < start) {
                throw corpus("labels/combined_windows.json, " + file + ": window " + w
                        + " must start and end at timestamps of rows of the file, start first");
            }
            if (start <= prevEnd) {
                throw corpus("labels/combined_windows.json, " + file + ": window " + w + " overlaps or precedes the one before");
            }
            out.add(new Window(start, end));
            prevEnd = end;
        }
        return out;
    }

    private static String limit(String file, String text) {
        String t = text.length() > 19 && text.charAt(19) == '.' && text.substring(20).chars().allMatch(c -> c == '0')
                ? text.substring(0, 19) : text;
        try {
            SeriesCsv.parseTimestamp(t, 0);
            return t;
        } catch (NabException e) {
            throw corpus("labels/combined_windows.json, " + file + ": " + e.getMessage());
        }
    }

    private static List<Profile> profiles(JsonNode root) {
        List<Profile> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue().path("CostMatrix");
            out.add(new Profile(e.getKey(), weight(e.getKey(), m, "tpWeight"), weight(e.getKey(), m, "fpWeight"),
                    weight(e.getKey(), m, "fnWeight")));
        }
        if (out.isEmpty()) {
            throw corpus("config/profiles.json holds no profile");
        }
        return out;
    }

    private static double weight(String profile, JsonNode matrix, String name) {
        JsonNode n = matrix.get(name);
        if (n == null || !n.isNumber() || !(n.asDouble() >= 0) || !Double.isFinite(n.asDouble())) {
            throw corpus("config/profiles.json: profile " + profile + " needs CostMatrix." + name + ", a number >= 0");
        }
        return n.asDouble();
    }

    private static Map<String, Map<String, Double>> published(JsonNode root) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            Map<String, Double> scores = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(p -> {
                if (p.getValue().isNumber()) {
                    scores.put(p.getKey(), p.getValue().asDouble());
                }
            });
            out.put(e.getKey(), Map.copyOf(scores));
        }
        return out;
    }

    private static JsonNode json(Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw corpus(file + " is missing");
            }
            if (Files.size(file) > MAX_JSON_BYTES) {
                throw corpus(file + " is larger than " + MAX_JSON_BYTES + " bytes");
            }
            JsonNode n = JSON.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw corpus(file + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new NabException(NabException.Reason.CORPUS, file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static NabException corpus(String message) {
        return new NabException(NabException.Reason.CORPUS, 0, message);
    }
}
