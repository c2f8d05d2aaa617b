package dev.fieldline.federated.privacy;

import java.util.ArrayList;
import java.util.List;

/**
 * The (ε, δ) of DP-FedAvg after a number of rounds, each an application of the sampled Gaussian
 * mechanism with sampling probability q and noise multiplier z ({@link SampledGaussianRdp}). RDP
 * composes by addition over rounds, at every order of a fixed set; the (ε, δ) bound is the best over
 * the orders of the conversion chosen:
 *
 * <ul>
 * <li>{@link Conversion#IMPROVED} (the default): ε = R(α) + log((α−1)/α) − (log δ + log α)/(α − 1)
 * (Balle et al. 2020, "Hypothesis testing interpretations and Rényi differential privacy", Thm 21;
 * Canonne, Kamath and Steinke 2020), with ε = 0 when δ ≥ √(1 − e^(−R(α))), as TensorFlow Privacy
 * computes it since 2021. Never larger than the classic one for α ≥ 1.01.</li>
 * <li>{@link Conversion#CLASSIC}: ε = R(α) − log δ/(α − 1) (Mironov 2017, Prop. 3), what the
 * literature before 2020 (Abadi et al. 2016, McMahan et al. 2018, the TF Privacy tutorials) reports.</li>
 * </ul>
 *
 * <p>The analysis assumes each client takes part in a round independently with probability q
 * (Poisson sampling) and that the unit of privacy is a client (add/remove one client's whole data).
 * {@code RoundCoordinator} samples a fixed number k of the N clients instead; q = k/N is the usual
 * approximation (TF Federated and Opacus make it too), not a proof for sampling without replacement.
 * Immutable.
 */
public final class PrivacyAccountant {

    /** How RDP turns into (ε, δ). */
    public enum Conversion { CLASSIC, IMPROVED }

    /**
     * (ε, δ)-DP after {@code rounds} rounds, attained at RDP order {@code order}.
     */
    public record PrivacyGuarantee(int rounds, double epsilon, double delta, double order) {
    }

    private final double samplingRate;
    private final double noiseMultiplier;
    private final Conversion conversion;
    private final double[] orders;
    private final double[] rdpPerRound;

    /** With TF Privacy's orders and the improved conversion. */
    public PrivacyAccountant(double samplingRate, double noiseMultiplier) {
        this(samplingRate, noiseMultiplier, Conversion.IMPROVED, SampledGaussianRdp.defaultOrders());
    }

    public PrivacyAccountant(double samplingRate, double noiseMultiplier, Conversion conversion) {
        this(samplingRate, noiseMultiplier, conversion, SampledGaussianRdp.defaultOrders());
    }

    /**
     * @param samplingRate q in [0, 1]: the probability that a given client takes part in a round
     * @param noiseMultiplier z ≥ 0: the noise on the sum has standard deviation z·S (0: no privacy, ε = ∞)
     * @param orders RDP orders, each &gt; 1
     */
    public PrivacyAccountant(double samplingRate, double noiseMultiplier, Conversion conversion, double[] orders) {
        if (conversion == null) {
            throw new IllegalArgumentException("conversion must not be null");
        }
        if (orders.length == 0) {
            throw new IllegalArgumentException("orders must not be empty");
        }
        this.samplingRate = samplingRate;
        this.noiseMultiplier = noiseMultiplier;
        this.conversion = conversion;
        this.orders = orders.clone();
        this.rdpPerRound = SampledGaussianRdp.rdp(samplingRate, noiseMultiplier, this.orders);
    }

    /**
     * The accountant for a population of {@code population} clients of which {@code perRound} are
     * sampled each round: q = perRound/population.
     */
    public static PrivacyAccountant forSampling(int population, int perRound, double noiseMultiplier) {
        if (population < 1 || perRound < 1 || perRound > population) {
            throw new IllegalArgumentException("need 1 <= perRound <= population, was perRound=" + perRound
                    + ", population=" + population);
        }
        return new PrivacyAccountant((double) perRound / population, noiseMultiplier);
    }

    public double samplingRate() {
        return samplingRate;
    }

    public double noiseMultiplier() {
        return noiseMultiplier;
    }

    public Conversion conversion() {
        return conversion;
    }

    public double[] orders() {
        return orders.clone();
    }

    /** The RDP of one round at each of {@link #orders()}. */
    public double[] rdpPerRound() {
        return rdpPerRound.clone();
    }

    /** The guarantee of one round alone. */
    public PrivacyGuarantee singleRound(double delta) {
        return epsilon(1, delta);
    }

    /** The guarantee after {@code rounds} rounds (0 rounds: ε = 0). */
    public PrivacyGuarantee epsilon(int rounds, double delta) {
        if (rounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 0, was " + rounds);
        }
        requireDelta(delta);
        if (rounds == 0) {
            return new PrivacyGuarantee(0, 0, delta, Double.NaN);
        }
        double best = Double.POSITIVE_INFINITY;
        double bestOrder = orders[0];
        for (int i = 0; i < orders.length; i++) {
            double e = epsilon(orders[i], rounds * rdpPerRound[i], delta, conversion);
            if (e < best) {
                best = e;
                bestOrder = orders[i];
            }
        }
        return new PrivacyGuarantee(rounds, Math.max(0, best), delta, bestOrder);
    }

    /** The cumulative guarantee after each of rounds 1..{@code rounds}, in order. */
    public List<PrivacyGuarantee> perRound(int rounds, double delta) {
        List<PrivacyGuarantee> out = new ArrayList<>(rounds);
        for (int r = 1; r <= rounds; r++) {
            out.add(epsilon(r, delta));
        }
        return out;
    }

    /** ε at one order from the total RDP {@code rdp} at that order. */
    static double epsilon(double alpha, double rdp, double delta, Conversion conversion) {
        if (rdp == Double.POSITIVE_INFINITY) {
            return Double.POSITIVE_INFINITY;
        }
        if (conversion == Conversion.CLASSIC) {
            return rdp - Math.log(delta) / (alpha - 1);
        }
        if (delta * delta + Math.expm1(-rdp) > 0) {
            return 0;
        }
        if (alpha > 1.01) {
            return rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1);
        }
        return Double.POSITIVE_INFINITY;
    }

    private static void requireDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
        }
    }
}
