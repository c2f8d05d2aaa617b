package dev.fieldline.agent.hal.sim;

import java.time.Duration;
import java.util.Random;

/**
 * The simulated temperature at the sensor: base + drift·hours + amplitude·sin(2πt/period) +
 * N(0, noise²) + an occasional spike of ±magnitude. Seeded, so runs are reproducible. Not
 * thread-safe (the sim ADC serialises access).
 */
public final class TemperatureModel {
    private final SimParameters params;
    private final Random random;
    private long spikes;
    private long samples;

    public TemperatureModel(SimParameters params, long seed) {
        this.params = params;
        this.random = new Random(seed);
    }

    /** One sample of the temperature {@code elapsed} after the start, Cel. */
    public double sample(Duration elapsed) {
        samples++;
        double seconds = elapsed.toNanos() / 1e9;
        double t = params.baseTemperature()
                + params.driftPerHour() * seconds / 3600.0
                + params.dailyAmplitude() * Math.sin(2 * Math.PI * seconds / (params.dailyPeriod().toNanos() / 1e9))
                + params.noise() * random.nextGaussian();
        if (params.spikeProbability() > 0 && random.nextDouble() < params.spikeProbability()) {
            spikes++;
            t += random.nextBoolean() ? params.spikeMagnitude() : -params.spikeMagnitude();
        }
        return t;
    }

    /** Spikes produced so far. */
    public long spikes() {
        return spikes;
    }

    public long samples() {
        return samples;
    }
}
