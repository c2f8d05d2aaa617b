package dev.fieldline.analytics.insight;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.trend.Forecast;
import dev.fieldline.analytics.trend.Seasonality;
import dev.fieldline.analytics.trend.Trend;
import java.util.List;
import java.util.Optional;

/**
 * What a stream's recent history says, as the seed's {@code generate_insights} returns it: a one-line
 * summary, suggested actions and a confidence, with the evidence it rests on.
 *
 * @param key the stream
 * @param timeMillis event time of the newest sample the insight rests on
 * @param summary e.g. {@code temperature rising 0.80/h (p<0.01); daily season (strength 0.70); next hour 24.1 ± 0.9}
 * @param actions suggested actions, most urgent first; {@code no action needed} when there is none
 * @param confidence in [0, 1]: how much the statements rest on (see {@link InsightGenerator})
 * @param samples how many samples the insight rests on
 * @param anomalyScore the detector score the insight was given for the newest sample, in [0, 1]
 * @param trend the least-squares trend over the samples
 * @param seasonality the detected season, {@link Seasonality#NONE} when none
 * @param forecast the forecast the summary quotes; empty below 3 samples
 * @param horizonMillis how far ahead the quoted forecast is (its last step), 0 when there is none
 */
public record Insight(StreamKey key, long timeMillis, String summary, List<String> actions, double confidence, int samples,
        double anomalyScore, Trend trend, Seasonality seasonality, Optional<Forecast> forecast, long horizonMillis) {
    public Insight {
        actions = List.copyOf(actions);
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], was " + confidence);
        }
    }
}
