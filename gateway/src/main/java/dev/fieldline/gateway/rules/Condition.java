package dev.fieldline.gateway.rules;

import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.trend.Trend;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule's {@code when}: a comparison of one quantity of the stream with a number
 * ({@code value > 75}, {@code anomaly_score >= 0.9}, {@code score.cusum > 0.5}) or the stream's
 * trend ({@code trend is increasing}). Evaluated on each {@link Observation} of a stream in scope.
 */
public sealed interface Condition permits Condition.Compare, Condition.TrendIs {
    /** What a valid condition looks like, for error messages. */
    String FORMS = "'QUANTITY OP NUMBER' with QUANTITY one of value, mean, stddev, ewma, rate, min, max, anomaly_score,"
            + " score.<detector> and OP one of > >= < <= == !=, or 'trend is increasing|decreasing|stable'";

    /** True when the observation satisfies the condition. */
    boolean test(Observation o);

    /** The quantity the condition looks at, for {@link RuleFiring#value()}. */
    double subject(Observation o);

    /** The condition written the way {@link #parse} reads it. */
    String text();

    /** The quantities a comparison can look at. */
    enum Quantity {
        VALUE, MEAN, STDDEV, EWMA, RATE, MIN, MAX, ANOMALY_SCORE, SCORE;

        String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Comparison operators. */
    enum Op {
        GT(">"), GE(">="), LT("<"), LE("<="), EQ("=="), NE("!=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        boolean test(double a, double b) {
            return switch (this) {
                case GT -> a > b;
                case GE -> a >= b;
                case LT -> a < b;
                case LE -> a <= b;
                case EQ -> a == b;
                case NE -> a != b;
            };
        }
    }

    /**
     * {@code quantity op threshold}.
     *
     * @param detector for {@link Quantity#SCORE}: the detector's name; "" otherwise
     * @param detectorIndex for {@link Quantity#SCORE}: its position in {@link Observation#detectorScores()}
     */
    record Compare(Quantity quantity, String detector, int detectorIndex, Op op, double threshold) implements Condition {
        @Override
        public boolean test(Observation o) {
            double v = subject(o);
            return !Double.isNaN(v) && op.test(v, threshold);
        }

        @Override
        public double subject(Observation o) {
            return switch (quantity) {
                case VALUE -> o.value();
                case MEAN -> o.mean();
                case STDDEV -> o.stddev();
                case EWMA -> o.ewma();
                case RATE -> o.ratePerSecond();
                case MIN -> o.min();
                case MAX -> o.max();
                case ANOMALY_SCORE -> o.anomalyScore();
                case SCORE -> detectorIndex < o.detectorScores().length ? o.detectorScores()[detectorIndex] : Double.NaN;
            };
        }

        @Override
        public String text() {
            String q = quantity == Quantity.SCORE ? "score." + detector : quantity.code();
            return q + " " + op.symbol + " " + number(threshold);
        }
    }

    /** {@code trend is DIRECTION}. */
    record TrendIs(Trend.Direction direction) implements Condition {
        @Override
        public boolean test(Observation o) {
            return o.trend() != null && o.trend().direction() == direction;
        }

        @Override
        public double subject(Observation o) {
            return o.value();
        }

        @Override
        public String text() {
            return "trend is " + direction.code();
        }
    }

    Pattern COMPARE = Pattern.compile("\\s*([a-z_]+(?:\\.[A-Za-z0-9_-]+)?)\\s*(>=|<=|==|!=|>|<)\\s*(\\S+)\\s*");
    Pattern TREND = Pattern.compile("\\s*trend\\s+is\\s+(\\S+)\\s*");

    /**
     * Reads a condition.
     *
     * @param detectors the stream engine's detector names, in the order of {@link Observation#detectorScores()}
     * @throws IllegalArgumentException naming what is wrong and the valid forms
     */
    static Condition parse(String text, List<String> detectors) {
        Matcher t = TREND.matcher(text);
        if (t.matches()) {
            String d = t.group(1);
            for (Trend.Direction dir : Trend.Direction.values()) {
                if (dir.code().equals(d)) {
                    return new TrendIs(dir);
                }
            }
            throw new IllegalArgumentException("unknown trend '" + d + "'; valid: increasing, decreasing, stable");
        }
        Matcher m = COMPARE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read '" + text + "'; valid: " + FORMS);
        }
        String q = m.group(1);
        Quantity quantity;
        String detector = "";
        int index = -1;
        if (q.startsWith("score.")) {
            quantity = Quantity.SCORE;
            detector = q.substring("score.".length());
            index = detectors.indexOf(detector);
            if (index < 0) {
                throw new IllegalArgumentException("no detector '" + detector + "' runs on the streams; known: "
                        + (detectors.isEmpty() ? "(none)" : String.join(", ", detectors)));
            }
        } else {
            quantity = null;
            for (Quantity c : Quantity.values()) {
                if (c != Quantity.SCORE && c.code().equals(q)) {
                    quantity = c;
                }
            }
            if (quantity == null) {
                throw new IllegalArgumentException("unknown quantity '" + q + "'; valid: value, mean, stddev, ewma, rate, min, max,"
                        + " anomaly_score, score.<detector> (or 'trend is ...')");
            }
        }
        Op op = null;
        for (Op o : Op.values()) {
            if (o.symbol.equals(m.group(2))) {
                op = o;
            }
        }
        double threshold;
        try {
            threshold = Double.parseDouble(m.group(3));
        } catch (NumberFormatException e) {
            threshold = Double.NaN;
        }
        if (!Double.isFinite(threshold) || !m.group(3).matches("[-+]?[0-9.]+([eE][-+]?[0-9]+)?")) {
            throw new IllegalArgumentException("'" + m.group(3) + "' is not a finite number (in '" + text.strip() + "')");
        }
        return new Compare(quantity, detector, index, op, threshold);
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
