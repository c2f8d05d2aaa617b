package dev.fieldline.federated.privacy;

import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.RoundCoordinator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's half of DP-FedAvg (McMahan et al. 2018, "Learning Differentially Private Recurrent
 * Language Models", estimator f̃_f with every client's weight 1): the mean delta is
 *
 * <pre>  (Σᵢ clip(Δᵢ, S) + N(0, (z·S)² I)) / (q·N)</pre>
 *
 * where q·N is the <em>expected</em> number of participants, fixed in advance. Plug it into
 * {@link RoundCoordinator} with a linear strategy (FedAvg, FedAvgM, FedAdam, FedYogi); it replaces the
 * example-weighted mean.
 *
 * <ul>
 * <li>Unweighted: each client's clipped update counts once, whatever its example count, so one
 * client moves the sum by at most S (the unit of privacy is the client, not the example).</li>
 * <li>Re-clipped here in double, whatever the client did: a client that sends an unclipped update
 * cannot break the bound. An update with a NaN or infinite value (which the
 * {@code UpdateValidator} normally refuses first) contributes zero; that keeps the bound too.</li>
 * <li>Fixed denominator q·N: the noise scale, and so the guarantee, does not depend on how many
 * clients actually answered, and the estimate is unbiased for the mean over the population when
 * clients are sampled with probability q. The alternative, dividing by the number of updates
 * received (the paper's f̃_c, with a floor), has less variance when many drop out but a data-dependent
 * denominator: the sensitivity analysis must then bound it away from zero. Drop-outs shrink the
 * fixed-denominator mean towards zero (a smaller step), they do not weaken privacy.</li>
 * </ul>
 *
 * <p>The privacy of the result, for the sampling fraction and the number of rounds, comes from
 * {@link PrivacyAccountant}. Not thread-safe (the coordinator serialises its calls).
 */
public final class DpMeanAggregator implements RoundCoordinator.MeanAggregator {
    private static final Logger log = LoggerFactory.getLogger(DpMeanAggregator.class);

    /**
     * What the last aggregation did.
     *
     * @param updates updates summed
     * @param clipped how many of them had a norm above S and were scaled down
     * @param nonFinite how many had a non-finite value and counted as zero
     * @param meanNoiseStd the standard deviation of the noise per coordinate of the mean: z·S/(q·N)
     */
    public record Stats(int updates, int clipped, int nonFinite, double meanNoiseStd) {
    }

    private final DpConfig config;
    private final double expectedParticipants;
    private final NoiseSource noise;
    private Stats last = new Stats(0, 0, 0, 0);

    /**
     * @param expectedParticipants q·N, the expected number of updates per round (the number the
     *     coordinator samples: {@code max(minClients, ceil(fraction·N))} capped at N); the mean's denominator
     * @param noise {@link NoiseSource#secure()} in production
     */
    public DpMeanAggregator(DpConfig config, double expectedParticipants, NoiseSource noise) {
        if (!(expectedParticipants > 0) || Double.isInfinite(expectedParticipants)) {
            throw new IllegalArgumentException("expectedParticipants must be positive and finite, was "
                    + expectedParticipants);
        }
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        this.config = config;
        this.expectedParticipants = expectedParticipants;
        this.noise = noise;
    }

    public DpConfig config() {
        return config;
    }

    public double expectedParticipants() {
        return expectedParticipants;
    }

    /** What the last call to {@link #mean} did (all zero before the first). */
    public Stats lastStats() {
        return last;
    }

    @Override
    public float[] mean(List<ClientUpdate> updates) {
        if (updates.isEmpty()) {
            throw new IllegalArgumentException("no updates");
        }
        int n = updates.get(0).delta().length;
        double clipNorm = config.clipNorm();
        double[] sum = new double[n];
        int clipped = 0;
        int nonFinite = 0;
        for (ClientUpdate u : updates) {
            float[] d = u.delta();
            if (d.length != n) {
                throw new IllegalArgumentException("update of " + u.clientId() + " has " + d.length
                        + " values, expected " + n);
            }
            double norm = UpdateClipping.l2Norm(d);
            if (!Double.isFinite(norm)) {
                nonFinite++;
                log.debug("update of {} has a non-finite value; it counts as zero", u.clientId());
                continue;
            }
            double s = UpdateClipping.scale(norm, clipNorm);
            if (s < 1.0) {
                clipped++;
            }
            for (int i = 0; i < n; i++) {
                sum[i] += d[i] * s;
            }
        }
        double std = config.sumNoiseStd();
        float[] mean = new float[n];
        for (int i = 0; i < n; i++) {
            double noisy = std > 0 ? sum[i] + std * noise.nextGaussian() : sum[i];
            mean[i] = (float) (noisy / expectedParticipants);
        }
        last = new Stats(updates.size(), clipped, nonFinite, std / expectedParticipants);
        log.debug("DP mean of {} updates ({} clipped, {} non-finite), noise std {} per coordinate", updates.size(),
                clipped, nonFinite, last.meanNoiseStd());
        return mean;
    }
}
