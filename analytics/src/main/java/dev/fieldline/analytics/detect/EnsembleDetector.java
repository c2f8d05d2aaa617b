package dev.fieldline.analytics.detect;

import java.util.List;

/**
 * Combines member detectors into one anomaly score in [0, 1], causally and in O(members) per value:
 * <ol>
 * <li><b>calibration</b>: each member's score s is read as a tail probability {@code 1 - s} and turned into
 * a surprise {@code -log10(1 - s)}; each member's surprise is judged against its own running (EWMA) mean and
 * deviation, so a member that is always excited does not dominate;
 * <li><b>combination</b>: each member's excess, mapped back to [0, 1) as a two-sided normal probability,
 * averaged over the members ({@code combine=mean}; {@code max} and {@code noisy_or} are the alternatives);
 * <li><b>anomaly likelihood</b> (after Numenta's HTM): the short average of the combined raw score against
 * the long-run distribution of that average (EWMA mean and variance, bounded memory instead of Numenta's
 * 8640-value history), as {@code 1 - Q}, on Numenta's log scale;
 * <li><b>range novelty</b>: a value beyond the range seen so far by more than {@code range_tolerance} of
 * that range scores 1 (Numenta's NAB detector's "spatial anomaly");
 * <li><b>suppression</b>: after a score at or above {@code alert}, scores are held below {@code alert} for
 * {@code quiet} values, so one event is reported once.
 * </ol>
 * The first {@code warmup} values score 0.
 */
final class EnsembleDetector implements Detector {
    /** The tuned settings, validated. */
    record Settings(Combine combine, int average, double memory, double minDeviation, double rangeTolerance,
            double alert, int quiet, int warmup, double memberMemory, boolean calibrate) {
    }

    enum Combine {
        MEAN, MAX, NOISY_OR
    }

    private final Detector[] members;
    private final Settings s;
    private final double[] memberMean;
    private final double[] memberVar;
    private final double[] recent;
    private int recentHead;
    private int recentCount;
    private double recentSum;
    private double avgMean;
    private double avgVar;
    private long n;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private int quietLeft;

    EnsembleDetector(List<Detector> members, Settings settings) {
        this.members = members.toArray(new Detector[0]);
        this.s = settings;
        this.memberMean = new double[this.members.length];
        this.memberVar = new double[this.members.length];
        this.recent = new double[settings.average()];
    }

    @Override
    public double update(long timeMillis, double value) {
        n++;
        double raw = combined(timeMillis, value);
        double likelihood = likelihood(raw);
        boolean novel = novel(value);
        double score = n <= s.warmup() ? 0.0 : novel ? 1.0 : logScale(likelihood);
        if (quietLeft > 0) {
            quietLeft--;
            score = Math.min(score, Math.nextDown(s.alert()));
        } else if (score >= s.alert()) {
            quietLeft = s.quiet();
        }
        return Math.max(0.0, Math.min(1.0, score));
    }

    private double combined(long timeMillis, double value) {
        double acc = s.combine() == Combine.NOISY_OR ? 1 : 0;
        for (int i = 0; i < members.length; i++) {
            double m = members[i].update(timeMillis, value);
            double surprise = -Math.log10(Math.max(1e-300, 1 - m));
            double mean = memberMean[i];
            double sd = Math.sqrt(memberVar[i]);
            double excess = n <= 1 ? 0 : Math.max(0, (surprise - mean) / Math.max(sd, s.minDeviation()));
            double p = s.calibrate() ? 1 - NormalTail.upper(excess) * 2 : m; // in [0, 1): how unusual for this member
            double a = s.memberMemory();
            double d = surprise - mean;
            memberMean[i] = mean + a * d;
            memberVar[i] = (1 - a) * (memberVar[i] + a * d * d);
            switch (s.combine()) {
                case MAX -> acc = Math.max(acc, p);
                case MEAN -> acc += p / members.length;
                case NOISY_OR -> acc *= 1 - p;
            }
        }
        return s.combine() == Combine.NOISY_OR ? 1 - acc : acc;
    }

    private double likelihood(double raw) {
        if (recentCount == recent.length) {
            recentSum -= recent[recentHead];
        } else {
            recentCount++;
        }
        recent[recentHead] = raw;
        recentHead = (recentHead + 1) % recent.length;
        recentSum += raw;
        double avg = recentSum / recentCount;
        double sd = Math.max(Math.sqrt(avgVar), s.minDeviation());
        double z = (avg - avgMean) / sd;
        double likelihood = z <= 0 ? 0 : 1 - 2 * NormalTail.upper(z);
        double a = n < 1 / s.memory() ? 1.0 / n : s.memory();
        double d = avg - avgMean;
        avgMean += a * d;
        avgVar = (1 - a) * (avgVar + a * d * d);
        return likelihood;
    }

    private boolean novel(double value) {
        boolean novel = false;
        if (n > 1 && max > min) {
            double tol = (max - min) * s.rangeTolerance();
            novel = s.rangeTolerance() >= 0 && (value > max + tol || value < min - tol);
        }
        min = Math.min(min, value);
        max = Math.max(max, value);
        return novel;
    }

    /** Numenta's log scale: 0.5 at likelihood 1 - 1e-5, 1 at 1 - 1e-10. */
    static double logScale(double likelihood) {
        return Math.log(1.0000000001 - likelihood) / -23.02585084720009;
    }
}
