package dev.fieldline.agent.hal.sim;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * The simulated temperature model: a base temperature with slow linear drift, a daily-ish
 * sinusoid, Gaussian noise and occasional spikes.
 *
 * @param seed random seed; empty means derive it from the device id
 * @param baseTemperature mean temperature, Cel
 * @param noise standard deviation of the Gaussian noise, Cel
 * @param driftPerHour linear drift, Cel per hour
 * @param dailyAmplitude amplitude of the sinusoid, Cel
 * @param dailyPeriod period of the sinusoid
 * @param spikeProbability probability that one sample carries a spike, 0..1
 * @param spikeMagnitude size of a spike (sign random), Cel
 */
public record SimParameters(
        OptionalLong seed,
        double baseTemperature,
        double noise,
        double driftPerHour,
        double dailyAmplitude,
        Duration dailyPeriod,
        double spikeProbability,
        double spikeMagnitude) {

    public static final SimParameters DEFAULTS =
            new SimParameters(OptionalLong.empty(), 21.0, 0.15, 0.05, 2.0, Duration.ofHours(24), 0.002, 8.0);

    public SimParameters {
        requireFinite(baseTemperature, "baseTemperature");
        requireFinite(driftPerHour, "driftPerHour");
        if (!(noise >= 0 && Double.isFinite(noise))) {
            throw new IllegalArgumentException("noise must be >= 0, was " + noise);
        }
        if (!(dailyAmplitude >= 0 && Double.isFinite(dailyAmplitude))) {
            throw new IllegalArgumentException("dailyAmplitude must be >= 0, was " + dailyAmplitude);
        }
        if (dailyPeriod == null || dailyPeriod.isZero() || dailyPeriod.isNegative()) {
            throw new IllegalArgumentException("dailyPeriod must be positive, was " + dailyPeriod);
        }
        if (!(spikeProbability >= 0 && spikeProbability <= 1)) {
            throw new IllegalArgumentException("spikeProbability must be in 0..1, was " + spikeProbability);
        }
        if (!(spikeMagnitude >= 0 && Double.isFinite(spikeMagnitude))) {
            throw new IllegalArgumentException("spikeMagnitude must be >= 0, was " + spikeMagnitude);
        }
    }

    private static void requireFinite(double v, String name) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " must be finite, was " + v);
        }
    }

    public SimParameters withSeed(long newSeed) {
        return new SimParameters(OptionalLong.of(newSeed), baseTemperature, noise, driftPerHour, dailyAmplitude,
                dailyPeriod, spikeProbability, spikeMagnitude);
    }

    public SimParameters withNoise(double newNoise) {
        return new SimParameters(seed, baseTemperature, newNoise, driftPerHour, dailyAmplitude, dailyPeriod,
                spikeProbability, spikeMagnitude);
    }

    public SimParameters withShape(double newDriftPerHour, double newDailyAmplitude) {
        return new SimParameters(seed, baseTemperature, noise, newDriftPerHour, newDailyAmplitude, dailyPeriod,
                spikeProbability, spikeMagnitude);
    }

    public SimParameters withSpikes(double probability, double magnitude) {
        return new SimParameters(seed, baseTemperature, noise, driftPerHour, dailyAmplitude, dailyPeriod,
                probability, magnitude);
    }
}
