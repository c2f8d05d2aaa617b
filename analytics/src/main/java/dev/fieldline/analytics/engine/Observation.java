package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Trend;

/**
 * What the engine knows about one stream right after one sample: the sample, the stream's online
 * statistics including it, the detectors' verdict on it (judged against what came before) and the
 * trend. Rules are evaluated on observations.
 *
 * @param count samples seen on this stream so far (including this one)
 * @param mean running mean over the whole stream (Welford)
 * @param stddev running sample standard deviation over the whole stream (0 below two samples)
 * @param ewma exponentially weighted moving average
 * @param ratePerSecond rate of change from the previous sample, value units per second (0 for the first)
 * @param anomalyScore the stream's detector score for this value, in [0, 1]
 * @param detectorScores each configured detector's score, in the order of {@link StreamEngine#detectorNames()}
 */
public record Observation(
        StreamKey key,
        long timeMillis,
        double value,
        long count,
        double mean,
        double stddev,
        double min,
        double max,
        double ewma,
        double ratePerSecond,
        double anomalyScore,
        double[] detectorScores,
        Trend trend) {
}
