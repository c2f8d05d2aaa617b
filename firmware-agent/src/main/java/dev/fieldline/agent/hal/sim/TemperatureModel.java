package dev.fieldline.agent.hal.sim;

import java.time.Duration;
import java.util.Random;

/**
 * The simulated temperature at the sensor: base + drift·hours + amplitude·sin(2πt/period) +
 * N(0, noise²) + an occasional spike of ±magnitude, plus what was {@link #inject injected} (spikes,
 * a drifting or a stuck sensor). Seeded, so runs are reproducible (and {@link StrictMath}, so they
 * are the same on every platform). Not thread-safe (the sim ADC serialises access).
 */
public final class TemperatureModel {
    private final SimParameters params;
    private final Random random;
    private long spikes;
    private long samples;
    private Anomaly pending;
    private double pendingSpike;
    private double driftRate;
    private double driftStart;
    private double driftEnd;
    private double driftOffset;
    private double stuckUntil = Double.NEGATIVE_INFINITY;
    private double last = Double.NaN;

    public TemperatureModel(SimParameters params, long seed) {
        this.params = params;
        this.random = new Random(seed);
    }

    /** One sample of the temperature {@code elapsed} after the start, Cel. */
    public double sample(Duration elapsed) {
        samples++;
        double seconds = elapsed.toNanos() / 1e9;
        start(seconds);
        if (seconds < stuckUntil && !Double.isNaN(last)) {
            return last;
        }
        double t = params.baseTemperature()
                + params.driftPerHour() * seconds / 3600.0
                + params.dailyAmplitude() * StrictMath.sin(2 * Math.PI * seconds / (params.dailyPeriod().toNanos() / 1e9))
                + params.noise() * random.nextGaussian();
        if (params.spikeProbability() > 0 && random.nextDouble() < params.spikeProbability()) {
            spikes++;
            t += random.nextBoolean() ? params.spikeMagnitude() : -params.spikeMagnitude();
        }
        if (driftRate != 0) {
            double until = Math.min(seconds, driftEnd);
            t += driftOffset + driftRate * Math.max(0, until - driftStart);
        } else {
            t += driftOffset;
        }
        if (pendingSpike != 0) {
            spikes++;
            t += pendingSpike;
            pendingSpike = 0;
        }
        last = t;
        return t;
    }

    /**
     * Injects an anomaly, starting with the next sample. A new drift replaces a running one (the
     * offset it reached stays).
     */
    public void inject(Anomaly anomaly) {
        if (anomaly == null) {
            throw new IllegalArgumentException("anomaly must not be null");
        }
        if (anomaly instanceof Anomaly.Spike s) {
            pendingSpike += s.magnitude();
        } else {
            pending = anomaly;
        }
    }

    private void start(double seconds) {
        if (pending instanceof Anomaly.Drift d) {
            if (driftRate != 0) {
                driftOffset += driftRate * Math.max(0, Math.min(seconds, driftEnd) - driftStart);
            }
            driftRate = d.celsiusPerSecond();
            driftStart = seconds;
            driftEnd = seconds + d.duration().toNanos() / 1e9;
        } else if (pending instanceof Anomaly.Stuck st) {
            stuckUntil = seconds + st.duration().toNanos() / 1e9;
        }
        pending = null;
    }

    /** Spikes produced so far. */
    public long spikes() {
        return spikes;
    }

    public long samples() {
        return samples;
    }
}
