package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.detect.Detectors;
import dev.fieldline.analytics.window.WindowSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stream engine's configuration; immutable. {@link #builder()} starts from the defaults;
 * {@link #describe()} prints every setting with its type, unit, default and meaning.
 *
 * @param detectors the detectors run on every stream, in the order of their scores (may be empty)
 * @param windows the windows kept for every stream (default none)
 * @param allowance how far behind the latest event time a sample may arrive and still count in its windows
 * @param ewmaAlpha weight of the newest value in the stream's EWMA, in (0, 1]
 * @param trendSamples samples the trend rests on
 * @param trendAlpha significance level of the trend slope
 * @param historySize recent samples kept per stream for insights and the API (0: none)
 * @param quantiles whether each stream keeps a quantile sketch (p50/p95/p99 in its summary)
 * @param maxKeys most streams held at once; samples of a new stream beyond it are refused and counted
 * @param idleTimeout a stream with no sample for this long (in event time) is dropped by {@link StreamEngine#expireIdle}
 */
public record EngineConfig(List<NamedDetector> detectors, List<WindowSpec> windows, Duration allowance,
        double ewmaAlpha, int trendSamples, double trendAlpha, int historySize, boolean quantiles, int maxKeys,
        Duration idleTimeout) {

    public static final Duration DEFAULT_ALLOWANCE = Duration.ofSeconds(5);
    public static final double DEFAULT_EWMA_ALPHA = 0.1;
    public static final int DEFAULT_TREND_SAMPLES = 60;
    public static final double DEFAULT_TREND_ALPHA = 0.05;
    public static final int DEFAULT_HISTORY_SIZE = 512;
    public static final int DEFAULT_MAX_KEYS = 200_000;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    /** Largest history per stream. */
    public static final int MAX_HISTORY_SIZE = 100_000;

    public EngineConfig {
        detectors = List.copyOf(detectors);
        windows = List.copyOf(windows);
        if (detectors.stream().map(NamedDetector::name).distinct().count() != detectors.size()) {
            throw new IllegalArgumentException("detectors: two have the same name: " + detectors.stream().map(NamedDetector::name).toList());
        }
        if (allowance == null || allowance.isNegative() || allowance.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("allowance must be between 0 and 1 day, was " + allowance);
        }
        if (!(ewmaAlpha > 0 && ewmaAlpha <= 1)) {
            throw new IllegalArgumentException("ewmaAlpha must be in (0, 1], was " + ewmaAlpha);
        }
        if (trendSamples < 4 || trendSamples > 100_000) {
            throw new IllegalArgumentException("trendSamples must be in [4, 100000], was " + trendSamples);
        }
        if (!(trendAlpha > 0 && trendAlpha < 1)) {
            throw new IllegalArgumentException("trendAlpha must be in (0, 1), was " + trendAlpha);
        }
        if (historySize < 0 || historySize > MAX_HISTORY_SIZE) {
            throw new IllegalArgumentException("historySize must be in [0, " + MAX_HISTORY_SIZE + "], was " + historySize);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, was " + maxKeys);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
        }
    }

    /** The defaults, with the registry's default detector ({@value Detectors#DEFAULT}). */
    public static EngineConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.detectors = new ArrayList<>(detectors);
        b.windows = new ArrayList<>(windows);
        b.allowance = allowance;
        b.ewmaAlpha = ewmaAlpha;
        b.trendSamples = trendSamples;
        b.trendAlpha = trendAlpha;
        b.historySize = historySize;
        b.quantiles = quantiles;
        b.maxKeys = maxKeys;
        b.idleTimeout = idleTimeout;
        return b;
    }

    /** Every setting, one a line: name, type and unit, value (default), meaning. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        line(s, "detectors", "list of names", detectors.stream().map(NamedDetector::name).toList(), "[" + Detectors.DEFAULT + "]",
                "detectors run on every stream; anomaly score is the highest of theirs");
        line(s, "windows", "list of window specs", windows.stream().map(WindowSpec::text).toList(), "[]",
                "e.g. 'tumbling 1m', 'sliding 30s', 'hopping 5m every 1m', 'session gap 2m', 'tumbling 100 samples'");
        line(s, "allowance", "duration", allowance, DEFAULT_ALLOWANCE, "out-of-order allowance of the windows' watermark");
        line(s, "ewmaAlpha", "number in (0, 1]", ewmaAlpha, DEFAULT_EWMA_ALPHA, "weight of the newest value in the EWMA");
        line(s, "trendSamples", "samples", trendSamples, DEFAULT_TREND_SAMPLES, "samples the trend rests on");
        line(s, "trendAlpha", "number in (0, 1)", trendAlpha, DEFAULT_TREND_ALPHA, "significance level of the trend slope");
        line(s, "historySize", "samples", historySize, DEFAULT_HISTORY_SIZE, "recent samples kept per stream for insights");
        line(s, "quantiles", "boolean", quantiles, true, "keep a quantile sketch per stream");
        line(s, "maxKeys", "streams", maxKeys, DEFAULT_MAX_KEYS, "streams held at once; new ones beyond are refused");
        line(s, "idleTimeout", "duration", idleTimeout, DEFAULT_IDLE_TIMEOUT, "a stream idle this long (event time) is dropped");
        return s.toString();
    }

    private static void line(StringBuilder s, String name, String type, Object value, Object dflt, String meaning) {
        s.append(name).append(" (").append(type).append(") = ").append(value).append(" (default ").append(dflt)
                .append("): ").append(meaning).append('\n');
    }

    /** Builds an {@link EngineConfig}; starts from the defaults. */
    public static final class Builder {
        private List<NamedDetector> detectors;
        private List<WindowSpec> windows = new ArrayList<>();
        private Duration allowance = DEFAULT_ALLOWANCE;
        private double ewmaAlpha = DEFAULT_EWMA_ALPHA;
        private int trendSamples = DEFAULT_TREND_SAMPLES;
        private double trendAlpha = DEFAULT_TREND_ALPHA;
        private int historySize = DEFAULT_HISTORY_SIZE;
        private boolean quantiles = true;
        private int maxKeys = DEFAULT_MAX_KEYS;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

        private Builder() {
        }

        /** Replaces the detectors (default: the registry's {@value Detectors#DEFAULT}). */
        public Builder detectors(List<NamedDetector> detectors) {
            this.detectors = new ArrayList<>(detectors);
            return this;
        }

        /** Adds a detector from the registry, by name and parameters. */
        public Builder detector(String name, Map<String, String> params) {
            if (detectors == null) {
                detectors = new ArrayList<>();
            }
            detectors.add(NamedDetector.of(name, params));
            return this;
        }

        public Builder windows(List<WindowSpec> windows) {
            this.windows = new ArrayList<>(windows);
            return this;
        }

        /** Adds windows parsed from text, e.g. {@code "tumbling 1m"}. */
        public Builder windows(String... specs) {
            for (String s : specs) {
                windows.add(WindowSpec.parse(s));
            }
            return this;
        }

        public Builder allowance(Duration allowance) {
            this.allowance = allowance;
            return this;
        }

        public Builder ewmaAlpha(double ewmaAlpha) {
            this.ewmaAlpha = ewmaAlpha;
            return this;
        }

        public Builder trendSamples(int trendSamples) {
            this.trendSamples = trendSamples;
            return this;
        }

        public Builder trendAlpha(double trendAlpha) {
            this.trendAlpha = trendAlpha;
            return this;
        }

        public Builder historySize(int historySize) {
            this.historySize = historySize;
            return this;
        }

        public Builder quantiles(boolean quantiles) {
            this.quantiles = quantiles;
            return this;
        }

        public Builder maxKeys(int maxKeys) {
            this.maxKeys = maxKeys;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the setting that is out of range, or from the
         *     registry when the default detector is needed and unknown
         */
        public EngineConfig build() {
            List<NamedDetector> d = detectors != null ? detectors : List.of(NamedDetector.of(Detectors.DEFAULT, Map.of()));
            return new EngineConfig(d, windows, allowance, ewmaAlpha, trendSamples, trendAlpha, historySize, quantiles,
                    maxKeys, idleTimeout);
        }
    }
}
