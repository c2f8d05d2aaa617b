package dev.fieldline.analytics.insight;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Forecast;
import dev.fieldline.analytics.trend.HoltWinters;
import dev.fieldline.analytics.trend.Seasonality;
import dev.fieldline.analytics.trend.Trend;
import dev.fieldline.analytics.trend.TrendEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns a stream's recent samples into an {@link Insight}: the seed's {@code generate_insights}.
 *
 * <p><b>What it computes.</b> The trend with the engine's {@link TrendEstimator} (least-squares slope per
 * second of event time, its p-value, significance 0.05), over the deseasonalized values when there is a
 * season (each value less its phase's mean: otherwise a cycle reads as a trend with a tiny, meaningless
 * p-value, its residuals being the cycle itself). The season with
 * {@link Seasonality#detect(double[], int, int, int, double)} (periods 2..n/3, strength 0.3). A
 * forecast with {@link HoltWinters} (with the season when one was found and there are two cycles of it,
 * Holt's method otherwise) and its 95 % interval, quoted for the next hour when samples come at least
 * every hour (the step is the median interval), else for the next sample.
 *
 * <p><b>Summary</b>: {@code <metric> rising|falling <slope>/h (p<0.01)} or {@code <metric> stable},
 * then {@code <daily|hourly|weekly|period …> season (strength s)} when there is one, then
 * {@code next hour <mean> ± <half-width>}, then {@code anomalous now (score s)} at a score of 0.5 or more.
 *
 * <p><b>Actions</b> (rules of thumb, most urgent first):
 * <ul>
 *   <li>the last 10 or more samples all equal while the history varied (or all of at least 10 equal):
 *       {@code inspect sensor <device>: stuck at <value>};
 *   <li>anomaly score ≥ 0.9: {@code inspect sensor <device>} and {@code verify <metric> against a second
 *       source}; score ≥ 0.5: {@code watch <device>/<metric>};
 *   <li>a significant trend: by metric name, temperature rising → {@code check ventilation or cooling},
 *       falling → {@code check heating}; humidity rising → {@code check ventilation}; battery, voltage or
 *       level falling → {@code recharge or replace the battery} / {@code refill}; pressure either way →
 *       {@code check for leaks}; anything else → {@code investigate the rising|falling <metric> on <device>};
 *   <li>the forecast's interval leaving the range seen in the history: {@code review thresholds: <metric>
 *       forecast to reach <value>};
 *   <li>none of these: {@code no action needed}.
 * </ul>
 *
 * <p><b>Confidence</b> = sample size × evidence. Sample size: {@code 1 - exp(-n/30)} (0.28 at 10 samples,
 * 0.96 at 100). Evidence: the mean of the trend's certainty, {@code 1 - p} when the summary claims a
 * trend and {@code p} when it says stable (a stable verdict with p near 1 is sure, one with p = 0.06 is
 * not), and the forecast's sharpness, {@code 1 / (1 + halfWidth / spread)} with spread the history's
 * standard deviation (1 for a constant history). Nothing in it is a constant: it falls with fewer
 * samples, a borderline p-value and a wide interval.
 */
public final class InsightGenerator {
    private static final double HOUR_MS = 3_600_000;
    private static final int STUCK_RUN = 10;

    private InsightGenerator() {
    }

    /**
     * @param times event times, epoch milliseconds, non-decreasing; the first n are used
     * @param values the values, as many as times
     * @param n how many samples to use, oldest first
     * @param anomalyScore the stream's detector score for its newest sample, in [0, 1]
     */
    public static Insight generate(StreamKey key, long[] times, double[] values, int n, double anomalyScore) {
        if (n < 0 || n > times.length || n > values.length) {
            throw new IllegalArgumentException("n must be in [0, " + Math.min(times.length, values.length) + "], was " + n);
        }
        if (!(anomalyScore >= 0 && anomalyScore <= 1)) {
            throw new IllegalArgumentException("anomalyScore must be in [0, 1], was " + anomalyScore);
        }
        String metric = key.metric();
        long now = n > 0 ? times[n - 1] : 0;
        if (n < 3) {
            List<String> actions = new ArrayList<>();
            anomalyActions(key, anomalyScore, actions);
            String summary = metric + ": not enough data (" + n + (n == 1 ? " sample" : " samples") + ")"
                    + (anomalyScore >= 0.5 ? "; anomalous now (score " + fmt(anomalyScore, 2) + ")" : "");
            return new Insight(key, now, summary, actions.isEmpty() ? List.of("no action needed") : actions, 0, n,
                    anomalyScore, Trend.UNKNOWN, Seasonality.NONE, Optional.empty(), 0);
        }
        double step = Seasonality.medianStep(times, n);
        Seasonality season = Seasonality.detect(values, n, 2, n / 3, Seasonality.DEFAULT_THRESHOLD);
        Trend trend = trend(times, season.found() ? Seasonality.deseasonalized(values, n, season.period()) : values, n);
        int horizon = step > 0 && step <= HOUR_MS ? (int) Math.max(1, Math.round(HOUR_MS / step)) : 1;
        horizon = Math.min(horizon, 10_000);
        HoltWinters model = HoltWinters.fit(values, n, season.found() ? season.period() : 0);
        Forecast forecast = model.forecast(horizon, 0.95);

        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
            mean += values[i] / n;
        }
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (values[i] - mean) * (values[i] - mean);
        }
        double spread = min == max ? 0 : Math.sqrt(ss / (n - 1));

        StringBuilder summary = new StringBuilder(metric);
        boolean claimsTrend = trend.direction() != Trend.Direction.STABLE;
        if (claimsTrend) {
            summary.append(trend.direction() == Trend.Direction.INCREASING ? " rising " : " falling ")
                    .append(rate(Math.abs(trend.slopePerSecond()) * HOUR_MS / 1000)).append("/h (")
                    .append(pText(trend.pValue())).append(')');
        } else {
            summary.append(" stable");
        }
        if (season.found()) {
            summary.append("; ").append(seasonName(season.period(), step)).append(" season (strength ")
                    .append(fmt(season.strength(), 2)).append(')');
        }
        long horizonMillis = step > 0 ? Math.round(horizon * step) : 0;
        int decimals = decimals(spread, forecast.mean(horizon));
        summary.append("; ").append(horizon > 1 || (step > 0 && Math.abs(step - HOUR_MS) < 1) ? "next hour " : "next value ")
                .append(fmt(forecast.mean(horizon), decimals)).append(" ± ").append(fmt(forecast.halfWidth(horizon), decimals));
        if (anomalyScore >= 0.5) {
            summary.append("; anomalous now (score ").append(fmt(anomalyScore, 2)).append(')');
        }

        List<String> actions = new ArrayList<>();
        int run = 1;
        while (run < n && values[n - 1 - run] == values[n - 1]) {
            run++;
        }
        if (run >= STUCK_RUN && (run < n || n >= STUCK_RUN)) {
            actions.add("inspect sensor " + key.deviceId() + ": stuck at " + value(values[n - 1], spread));
        }
        anomalyActions(key, anomalyScore, actions);
        if (claimsTrend) {
            actions.add(trendAction(key, trend.direction() == Trend.Direction.INCREASING));
        }
        double up = forecast.upper(horizon);
        double down = forecast.lower(horizon);
        if (spread > 0 && (forecast.mean(horizon) > max || forecast.mean(horizon) < min)) {
            double reach = forecast.mean(horizon) > max ? up : down;
            actions.add("review thresholds: " + metric + " forecast to reach " + value(reach, spread));
        }
        if (actions.isEmpty()) {
            actions.add("no action needed");
        }

        double sizeFactor = 1 - Math.exp(-n / 30.0);
        double trendCertainty = claimsTrend ? 1 - trend.pValue() : trend.pValue();
        double half = forecast.halfWidth(horizon);
        double sharpness = spread > 0 ? 1 / (1 + half / spread) : 1;
        double confidence = sizeFactor * (trendCertainty + sharpness) / 2;
        confidence = Math.max(0, Math.min(1, Double.isFinite(confidence) ? confidence : 0));
        return new Insight(key, now, summary.toString(), actions, confidence, n, anomalyScore, trend, season,
                Optional.of(forecast), horizonMillis);
    }

    private static Trend trend(long[] times, double[] values, int n) {
        TrendEstimator estimator = new TrendEstimator(Math.max(4, n), 0.05);
        for (int i = 0; i < n; i++) {
            estimator.add(times[i], values[i]);
        }
        return estimator.trend();
    }

    private static void anomalyActions(StreamKey key, double score, List<String> actions) {
        if (score >= 0.9) {
            actions.add("inspect sensor " + key.deviceId());
            actions.add("verify " + key.metric() + " against a second source");
        } else if (score >= 0.5) {
            actions.add("watch " + key);
        }
    }

    private static String trendAction(StreamKey key, boolean rising) {
        String m = key.metric().toLowerCase(Locale.ROOT);
        if (m.contains("temp")) {
            return rising ? "check ventilation or cooling" : "check heating";
        }
        if (m.contains("humid")) {
            return rising ? "check ventilation" : "check humidification";
        }
        if (!rising && (m.contains("batt") || m.contains("volt"))) {
            return "recharge or replace the battery of " + key.deviceId();
        }
        if (!rising && m.contains("level")) {
            return "refill (" + key + " falling)";
        }
        if (m.contains("press")) {
            return "check for leaks (" + key + " " + (rising ? "rising" : "falling") + ")";
        }
        return "investigate the " + (rising ? "rising " : "falling ") + key.metric() + " on " + key.deviceId();
    }

    /** Names a period by its length in time: within 10 % of an hour, a day or a week. */
    static String seasonName(int period, double stepMillis) {
        double length = period * stepMillis;
        if (stepMillis > 0) {
            if (Math.abs(length - HOUR_MS) <= 0.1 * HOUR_MS) {
                return "hourly";
            }
            if (Math.abs(length - 24 * HOUR_MS) <= 2.4 * HOUR_MS) {
                return "daily";
            }
            if (Math.abs(length - 168 * HOUR_MS) <= 16.8 * HOUR_MS) {
                return "weekly";
            }
            return "period " + duration(length);
        }
        return "period " + period + " samples";
    }

    private static String duration(double ms) {
        if (ms >= 2 * 24 * HOUR_MS) {
            return fmt(ms / (24 * HOUR_MS), 1) + " d";
        }
        if (ms >= 2 * HOUR_MS) {
            return fmt(ms / HOUR_MS, 1) + " h";
        }
        if (ms >= 120_000) {
            return fmt(ms / 60_000, 1) + " min";
        }
        return fmt(ms / 1000, 1) + " s";
    }

    private static String pText(double p) {
        if (p < 0.001) {
            return "p<0.001";
        }
        if (p < 0.01) {
            return "p<0.01";
        }
        return "p=" + fmt(p, 2);
    }

    /** A rate with three significant digits. */
    private static String rate(double r) {
        return significant(r, 3);
    }

    /** A value to the precision its spread warrants: one decimal below the spread's order of magnitude. */
    private static String value(double v, double spread) {
        return fmt(v, decimals(spread, v));
    }

    /** Decimals for values of this spread; with no spread, four significant digits of the reference. */
    private static int decimals(double spread, double reference) {
        if (spread > 0) {
            return (int) Math.max(0, Math.min(6, 1 - Math.floor(Math.log10(spread))));
        }
        return significantDecimals(reference, 4);
    }

    private static String significant(double v, int digits) {
        return fmt(v, significantDecimals(v, digits));
    }

    private static int significantDecimals(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) {
            return 0;
        }
        return (int) Math.max(0, Math.min(9, digits - 1 - Math.floor(Math.log10(Math.abs(v)))));
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
