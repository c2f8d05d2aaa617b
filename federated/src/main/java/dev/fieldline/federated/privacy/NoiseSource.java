package dev.fieldline.federated.privacy;

import java.security.SecureRandom;
import java.util.Random;

/**
 * Where the Gaussian noise of DP-FedAvg comes from: standard normal draws, scaled by the caller.
 * A gateway uses {@link #secure()}; the in-process simulation, which must be reproducible, uses
 * {@link #seededForSimulationOnly(long)}, whose noise anyone who knows the seed can subtract again
 * (no privacy at all). The interface is sealed so no third kind appears by accident.
 *
 * <p>Both draw doubles with the polar method ({@link Random#nextGaussian()}). The floating-point
 * attacks on textbook samplers (Mironov 2012, "On significance of the least significant bits for
 * differential privacy") are not mitigated here: no snapping, no discrete Gaussian.
 */
public sealed interface NoiseSource permits NoiseSource.Secure, NoiseSource.SeededForSimulationOnly {

    /** A draw from N(0, 1). */
    double nextGaussian();

    /** Noise from {@link SecureRandom}: the one to deploy. */
    static NoiseSource secure() {
        return new Secure(new SecureRandom());
    }

    /**
     * Reproducible noise from a seed, for the simulation and tests only: it gives NO privacy, since
     * the seed determines every draw.
     */
    static NoiseSource seededForSimulationOnly(long seed) {
        return new SeededForSimulationOnly(new Random(seed));
    }

    /** Noise from a {@link SecureRandom} (thread-safe). */
    final class Secure implements NoiseSource {
        private final SecureRandom random;

        private Secure(SecureRandom random) {
            this.random = random;
        }

        @Override
        public double nextGaussian() {
            return random.nextGaussian();
        }

        @Override
        public String toString() {
            return "secure noise (" + random.getAlgorithm() + ")";
        }
    }

    /** Seeded, reproducible, NOT private: simulation and tests only. */
    final class SeededForSimulationOnly implements NoiseSource {
        private final Random random;

        private SeededForSimulationOnly(Random random) {
            this.random = random;
        }

        @Override
        public double nextGaussian() {
            return random.nextGaussian();
        }

        @Override
        public String toString() {
            return "seeded noise for simulation only (not private)";
        }
    }
}
