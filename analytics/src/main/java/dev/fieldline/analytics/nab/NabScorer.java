package dev.fieldline.analytics.nab;

import dev.fieldline.analytics.nab.NabCorpus.LabelledSeries;
import dev.fieldline.analytics.nab.NabCorpus.Profile;
import dev.fieldline.analytics.nab.NabCorpus.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * NAB's scoring, as {@code numenta/NAB} (v1.1, {@code nab/sweeper.py}, {@code optimizer.py},
 * {@code runner.py}) does it:
 * <ul>
 * <li>each file's first {@code min(floor(0.15 n), 750)} rows are a probationary period and not scored;
 * <li>a row inside a window of width {@code w} ending at row {@code e} is worth
 * {@code tpWeight * S(-(e - i + 1) / w) / S(-1)} (1 at the window's first row, falling towards its
 * end), with {@code S(x) = 2 sigmoid(-5x) - 1} and {@code S(x) = -1} for {@code x >= 3};
 * <li>a row outside every window is worth {@code fpWeight * S(|e - i| / (w - 1))} after a window
 * ending at {@code e} of width {@code w}, and {@code -fpWeight} before the first window;
 * <li>a window counts once: its best (earliest) detection, or {@code -fnWeight} when missed;
 * <li>a row is a detection when its anomaly score is {@code >=} the threshold; ONE threshold per
 * profile, the one that maximises the raw score summed over the whole corpus (on ties the highest);
 * <li>normalised score {@code 100 (raw - null) / (perfect - null)} with {@code null = -fnWeight * windows}
 * (the null detector's raw score) and {@code perfect = tpWeight * windows}.
 * </ul>
 */
public final class NabScorer {
    /** What NAB's threshold sweep starts from: a threshold above every score, so nothing is detected. */
    public static final double NO_DETECTION = 1.1;

    private static final double MAX_TP = scaledSigmoid(-1.0);

    private NabScorer() {
    }

    /** NAB's scaled sigmoid of a relative position: 2 sigmoid(-5x) - 1, and -1 from x = 3 on. */
    public static double scaledSigmoid(double relativePosition) {
        if (relativePosition >= 3.0) {
            return -1.0;
        }
        return 2 * (1 / (1 + Math.exp(5 * relativePosition))) - 1.0;
    }

    /** Rows of an n-row file that are not scored: min(floor(0.15 n), 0.15 * 5000). */
    public static int probationLength(int rows) {
        return (int) Math.min(Math.floor(0.15 * rows), 0.15 * 5000);
    }

    /** One file's result at the profile's threshold: windows detected (TP) and missed (FN), detections outside windows (FP). */
    public record FileResult(String name, int rows, int windows, int tp, int fp, int fn, double raw) {
    }

    /** A profile's result over the corpus. */
    public record ProfileResult(Profile profile, double threshold, double raw, double nullScore, double perfectScore,
            double normalised, List<FileResult> files) {
        public ProfileResult {
            files = List.copyOf(files);
        }
    }

    /** Each row's sweep score (its worth if detected) and its window (index into the file's windows, -1 outside). */
    record Sweep(double[] weight, int[] window, int probation) {
    }

    static Sweep sweep(LabelledSeries file, Profile p) {
        int n = file.series().size();
        double[] weight = new double[n];
        int[] window = new int[n];
        List<Window> ws = file.windows();
        int next = 0;
        Window prev = null;
        for (int i = 0; i < n; i++) {
            Window cur = next < ws.size() && i >= ws.get(next).start() ? ws.get(next) : null;
            if (cur != null) {
                double position = -(cur.end() - i + 1) / (double) cur.length();
                weight[i] = scaledSigmoid(position) * p.tpWeight() / MAX_TP;
                window[i] = next;
                if (i == cur.end()) {
                    prev = cur;
                    next++;
                }
            } else {
                double position = prev == null ? 3.0 : Math.abs(prev.end() - i) / (double) (prev.length() - 1);
                weight[i] = scaledSigmoid(position) * p.fpWeight();
                window[i] = -1;
            }
        }
        return new Sweep(weight, window, probationLength(n));
    }

    /**
     * Scores a detector's output on the corpus with one profile: picks the threshold and scores each file at it.
     *
     * @param scores per file, in the order of {@code files}, one anomaly score per row
     */
    public static ProfileResult score(List<LabelledSeries> files, List<double[]> scores, Profile p) {
        if (files.size() != scores.size()) {
            throw new IllegalArgumentException(files.size() + " files but " + scores.size() + " score lists");
        }
        List<Sweep> sweeps = new ArrayList<>(files.size());
        for (int f = 0; f < files.size(); f++) {
            if (scores.get(f).length != files.get(f).series().size()) {
                throw new IllegalArgumentException(files.get(f).name() + ": " + files.get(f).series().size() + " rows but "
                        + scores.get(f).length + " scores");
            }
            sweeps.add(sweep(files.get(f), p));
        }
        double threshold = bestThreshold(sweeps, scores, p);
        List<FileResult> results = new ArrayList<>(files.size());
        double raw = 0;
        int windows = 0;
        for (int f = 0; f < files.size(); f++) {
            FileResult r = scoreFile(files.get(f), sweeps.get(f), scores.get(f), threshold, p);
            results.add(r);
            raw += r.raw();
            windows += r.windows();
        }
        double nullScore = -p.fnWeight() * windows;
        double perfect = p.tpWeight() * windows;
        double normalised = perfect == nullScore ? 0 : 100 * (raw - nullScore) / (perfect - nullScore);
        return new ProfileResult(p, threshold, raw, nullScore, perfect, normalised, results);
    }

    /** The corpus-wide threshold sweep (NAB's optimiser): every distinct score is tried, highest first. */
    static double bestThreshold(List<Sweep> sweeps, List<double[]> scores, Profile p) {
        int total = 0;
        int windows = 0;
        for (int f = 0; f < sweeps.size(); f++) {
            total += scores.get(f).length - sweeps.get(f).probation();
            windows += scoredWindows(sweeps.get(f));
        }
        double[] score = new double[total];
        double[] weight = new double[total];
        int[] window = new int[total];
        int k = 0;
        int windowBase = 0;
        for (int f = 0; f < sweeps.size(); f++) {
            Sweep s = sweeps.get(f);
            double[] sc = scores.get(f);
            int maxWindow = -1;
            for (int i = s.probation(); i < sc.length; i++, k++) {
                score[k] = sc[i];
                weight[k] = s.weight()[i];
                window[k] = s.window()[i] < 0 ? -1 : windowBase + s.window()[i];
                maxWindow = Math.max(maxWindow, s.window()[i]);
            }
            windowBase += maxWindow + 1;
        }
        int[] order = byScoreDescending(score);
        double[] best = new double[windowBase];
        Arrays.fill(best, -p.fnWeight());
        double value = -p.fnWeight() * windows;
        double bestValue = value;
        double bestThreshold = NO_DETECTION;
        for (int j = 0; j < order.length; j++) {
            int r = order[j];
            if (window[r] < 0) {
                value += weight[r];
            } else if (weight[r] > best[window[r]]) {
                value += weight[r] - best[window[r]];
                best[window[r]] = weight[r];
            }
            boolean lastOfThreshold = j == order.length - 1 || score[order[j + 1]] != score[r];
            if (lastOfThreshold && value > bestValue) {
                bestValue = value;
                bestThreshold = score[r];
            }
        }
        return bestThreshold;
    }

    private static int scoredWindows(Sweep s) {
        int[] w = s.window();
        int count = 0;
        int last = -1;
        for (int i = s.probation(); i < w.length; i++) {
            if (w[i] >= 0 && w[i] != last) {
                count++;
                last = w[i];
            }
        }
        return count;
    }

    /** One file at a threshold, as NAB's scoring step: rows scored {@code >= threshold} are detections. */
    static FileResult scoreFile(LabelledSeries file, Sweep s, double[] scores, double threshold, Profile p) {
        int nw = file.windows().size();
        double[] windowPart = new double[nw];
        boolean[] scored = new boolean[nw];
        Arrays.fill(windowPart, -p.fnWeight());
        double fpPart = 0;
        int fp = 0;
        for (int i = s.probation(); i < scores.length; i++) {
            int w = s.window()[i];
            if (w >= 0) {
                scored[w] = true;
            }
            if (!(scores[i] >= threshold)) {
                continue;
            }
            if (w < 0) {
                fpPart += s.weight()[i];
                fp++;
            } else {
                windowPart[w] = Math.max(windowPart[w], s.weight()[i]);
            }
        }
        double raw = fpPart;
        int tp = 0;
        int windows = 0;
        for (int w = 0; w < nw; w++) {
            if (scored[w]) {
                windows++;
                raw += windowPart[w];
                if (windowPart[w] > -p.fnWeight()) {
                    tp++;
                }
            }
        }
        return new FileResult(file.name(), scores.length, windows, tp, fp, windows - tp, raw);
    }

    /** Indices sorted by score, highest first (ties in index order): a counting sort over the distinct scores. */
    private static int[] byScoreDescending(double[] score) {
        double[] distinct = score.clone();
        Arrays.sort(distinct);
        int d = 0;
        for (int i = 0; i < distinct.length; i++) {
            if (i == 0 || Double.compare(distinct[i], distinct[d - 1]) != 0) {
                distinct[d++] = distinct[i];
            }
        }
        int[] rank = new int[score.length];
        int[] count = new int[d + 1];
        for (int i = 0; i < score.length; i++) {
            rank[i] = d - 1 - Arrays.binarySearch(distinct, 0, d, score[i]);
            count[rank[i] + 1]++;
        }
        for (int r = 0; r < d; r++) {
            count[r + 1] += count[r];
        }
        int[] out = new int[score.length];
        for (int i = 0; i < score.length; i++) {
            out[count[rank[i]]++] = i;
        }
        return out;
    }
}
