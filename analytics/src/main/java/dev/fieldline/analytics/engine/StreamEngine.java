package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Trend;
import java.util.List;
import java.util.Optional;

/**
 * Per-(device, metric) stream analytics: for each sample, the stream's online statistics (Welford
 * mean and variance, min/max, EWMA, rate of change, a quantile sketch), the configured detectors'
 * verdict (each value judged before it is learnt), the trend over the last samples, the configured
 * windows (closed windows go to the {@link StreamListener}) and a bounded history for insights.
 *
 * <p>Order: samples of a stream should come in event-time order. One older than the stream's latest
 * is <em>out of order</em>: it still goes into the windows (within the allowance, else it is late),
 * but not to the detectors, trend, statistics or history, and {@link #accept} returns null for it.
 *
 * <p>Bounds: at most {@link EngineConfig#maxKeys()} streams; a sample that would open one more is
 * refused and counted. Memory per stream is bounded (history, trend ring, sketch, detector state);
 * measured in {@code StreamEngineMemoryTest} and docs/analytics.md.
 *
 * <p>Thread-safety: none. An engine is confined to one thread at a time (the gateway feeds it from
 * its ingest thread; a benchmark runs one engine per thread). Callers on other threads, such as a
 * metrics scrape, must hand over through their own lock or queue; {@link #counters()} included.
 */
public final class StreamEngine {
    private static final double[] NO_SCORES = new double[0];

    private final EngineConfig config;
    private final StreamListener listener;
    private final List<String> detectorNames;
    private final KeyTable keys = new KeyTable();
    private long samples;
    private long late;
    private long outOfOrder;
    private long refusedValues;
    private long refusedKeys;
    private long expired;

    public StreamEngine(EngineConfig config, StreamListener listener) {
        if (config == null || listener == null) {
            throw new IllegalArgumentException("config and listener must not be null");
        }
        this.config = config;
        this.listener = listener;
        this.detectorNames = config.detectors().stream().map(NamedDetector::name).toList();
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * Takes one sample.
     *
     * @param timeMillis event time, epoch milliseconds
     * @return what the engine knows about the stream after this sample; null when the sample was
     *     refused (a non-finite value, or a new stream beyond maxKeys) or out of order (older than the
     *     stream's latest sample: it went to the windows only). Each case is counted.
     * @throws IllegalArgumentException for an empty deviceId or metric
     */
    public Observation accept(String deviceId, String metric, long timeMillis, double value) {
        if (deviceId == null || deviceId.isEmpty() || metric == null || metric.isEmpty()) {
            throw new IllegalArgumentException("deviceId and metric must not be empty");
        }
        if (!Double.isFinite(value)) {
            refusedValues++;
            return null;
        }
        int hash = KeyTable.hash(deviceId, metric);
        KeyState s = keys.get(deviceId, metric, hash);
        if (s == null) {
            if (keys.size() >= config.maxKeys()) {
                refusedKeys++;
                return null;
            }
            s = new KeyState(new StreamKey(deviceId, metric), hash, config, listener);
            keys.add(s);
        }
        samples++;
        if (s.windows != null && !s.windows.add(timeMillis, value)) {
            late++;
        }
        if (timeMillis < s.lastTime) {
            outOfOrder++;
            return null;
        }
        double[] scores = NO_SCORES;
        double anomaly = 0;
        if (s.detectors.length > 0) {
            scores = new double[s.detectors.length];
            for (int i = 0; i < scores.length; i++) {
                double d = s.detectors[i].update(timeMillis, value);
                d = d >= 0 ? Math.min(d, 1) : 0; // NaN and negatives to 0
                scores[i] = d;
                anomaly = Math.max(anomaly, d);
            }
        }
        s.welford.add(value);
        s.minMax.add(value);
        double ewma = s.ewma.add(value);
        double rate = s.rate.add(timeMillis, value);
        if (s.quantiles != null) {
            s.quantiles.add(value);
        }
        s.trend.add(timeMillis, value);
        s.remember(timeMillis, value);
        s.lastTime = timeMillis;
        s.lastValue = value;
        return new Observation(s.key, timeMillis, value, s.welford.count(), s.welford.mean(), s.welford.stddev(),
                s.minMax.min(), s.minMax.max(), ewma, rate, anomaly, scores, s.trend.trend());
    }

    /** A copy of the stream's recent samples, oldest first; empty when the stream is unknown. */
    public Optional<History> history(StreamKey key) {
        KeyState s = keys.get(key.deviceId(), key.metric(), KeyTable.hash(key.deviceId(), key.metric()));
        return s == null ? Optional.empty() : Optional.of(s.history());
    }

    /** The stream's statistics now; empty when the stream is unknown. */
    public Optional<StreamSummary> summary(StreamKey key) {
        KeyState s = keys.get(key.deviceId(), key.metric(), KeyTable.hash(key.deviceId(), key.metric()));
        if (s == null) {
            return Optional.empty();
        }
        double p50 = Double.NaN;
        double p95 = Double.NaN;
        double p99 = Double.NaN;
        if (s.quantiles != null && s.quantiles.count() > 0) {
            p50 = s.quantiles.quantile(0.5);
            p95 = s.quantiles.quantile(0.95);
            p99 = s.quantiles.quantile(0.99);
        }
        Trend trend = s.trend.trend();
        return Optional.of(new StreamSummary(s.key, s.welford.count(), s.welford.mean(), s.welford.stddev(), s.minMax.min(),
                s.minMax.max(), s.ewma.value(), s.rate.perSecond(), p50, p95, p99, trend, s.lastTime, s.lastValue));
    }

    /**
     * Drops every stream whose latest sample's event time is more than the idle timeout before
     * {@code nowMillis}, after emitting its open windows; the listener hears of each.
     *
     * @return how many streams were dropped
     */
    public int expireIdle(long nowMillis) {
        long cutoff = nowMillis - config.idleTimeout().toMillis();
        List<KeyState> idle = keys.idleSince(cutoff);
        for (KeyState s : idle) {
            keys.remove(s);
            if (s.windows != null) {
                s.windows.flush();
            }
            listener.streamExpired(s.key);
        }
        expired += idle.size();
        return idle.size();
    }

    public int activeKeys() {
        return keys.size();
    }

    /** The configured detectors' names, in the order of {@link Observation#detectorScores()}. */
    public List<String> detectorNames() {
        return detectorNames;
    }

    public EngineCounters counters() {
        return new EngineCounters(samples, late, outOfOrder, refusedValues, refusedKeys, expired);
    }
}
