package dev.fieldline.analytics.trend;

/**
 * A stream's trend over its recent window.
 *
 * @param direction the verdict rules test ("trend increasing for 10 min")
 * @param halves the seed's rule alone: the latter half's mean 10% above (below) the former half's
 * @param slopePerSecond the least-squares slope, value units per second of event time
 * @param pValue two-sided p-value of the slope against zero (1 when undetermined)
 * @param n how many samples the estimate rests on
 */
public record Trend(Direction direction, Direction halves, double slopePerSecond, double pValue, int n) {
    public enum Direction {
        INCREASING, DECREASING, STABLE;

        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Too few samples to tell. */
    public static final Trend UNKNOWN = new Trend(Direction.STABLE, Direction.STABLE, 0, 1, 0);
}
