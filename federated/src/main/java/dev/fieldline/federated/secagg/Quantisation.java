package dev.fieldline.federated.secagg;

import java.util.Random;

/**
 * How a client's update becomes a vector of integers mod 2<sup>bits</sup>, and how the server turns
 * the modular sum back into the example-weighted mean.
 *
 * <p>A client with delta Δ and n examples sends, for each coordinate i,
 * {@code q_i = R(scale · n · clip(Δ_i))} where {@code clip} limits to [−clip, clip] and R rounds to
 * an integer: {@link Rounding#NEAREST} (half to even, error at most ½) or {@link Rounding#STOCHASTIC}
 * (up with probability equal to the fraction, unbiased, error below 1). One more coordinate holds n
 * itself. Each q is taken mod 2<sup>bits</sup> (two's complement). The server's sum over m clients
 * then holds Σ q_i and Σ n, and {@link #mean} gives {@code Σ q_i / (scale · Σ n)}, which differs from
 * the example-weighted mean of the clipped deltas by at most {@link #meanErrorBound}
 * {@code = m · e / (scale · Σ n)} (e = ½ or 1). The sum cannot wrap: {@link #checkFits} holds when
 * {@code 2 · clients · ⌈scale · maxExamples · clip⌉ < 2^bits}.
 *
 * @param clip each delta coordinate is clipped to [−clip, clip] before scaling
 * @param scale quantisation steps per unit of n·Δ
 * @param maxExamples the largest example count a client may send
 * @param bits the modulus is 2^bits; a multiple of 8 in 8..56 (each coordinate is bits/8 bytes on the wire)
 */
public record Quantisation(double clip, double scale, long maxExamples, int bits, Rounding rounding) {

    public enum Rounding { NEAREST, STOCHASTIC }

    /**
     * Metrics (loss, accuracy) travel as n·metric clipped to ±{@value #METRIC_CLIP}, at
     * {@link #metricScale()} steps per unit, so they stay within {@link #perClientBound()} too.
     */
    public static final double METRIC_CLIP = 100;

    /** Largest value of scale · maxExamples · clip: integers stay exact in a double up to 2^52. */
    private static final double MAX_MAGNITUDE = 0x1p52;

    public Quantisation {
        if (!(clip > 0) || !Double.isFinite(clip)) {
            throw new IllegalArgumentException("clip must be positive and finite, was " + clip);
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, was " + scale);
        }
        if (maxExamples < 1) {
            throw new IllegalArgumentException("maxExamples must be >= 1, was " + maxExamples);
        }
        if (bits < 8 || bits > 56 || bits % 8 != 0) {
            throw new IllegalArgumentException("bits must be a multiple of 8 in 8..56, was " + bits);
        }
        if (rounding == null) {
            throw new IllegalArgumentException("rounding must not be null");
        }
        if (scale * clip * maxExamples > MAX_MAGNITUDE) {
            throw new IllegalArgumentException("scale * clip * maxExamples must be at most 2^52, was "
                    + scale * clip * maxExamples);
        }
    }

    /** The smallest modulus (a multiple of 8 bits) that holds the sum of {@code maxClients} clients. */
    public static Quantisation forClients(double clip, double scale, long maxExamples, int maxClients,
            Rounding rounding) {
        for (int bits = 8; bits <= 56; bits += 8) {
            Quantisation q = new Quantisation(clip, scale, maxExamples, bits, rounding);
            if (q.fits(maxClients)) {
                return q;
            }
        }
        throw new SecAggException(SecAggException.Reason.OVERFLOW, "the sum of " + maxClients + " clients with scale "
                + scale + ", clip " + clip + " and up to " + maxExamples + " examples needs more than 56 bits");
    }

    /** The largest |q| one client can send for a delta coordinate. */
    public long perClientBound() {
        return (long) Math.ceil(scale * clip * maxExamples);
    }

    /** 2^bits − 1. */
    public long mask() {
        return (1L << bits) - 1;
    }

    /** Whether the sum of {@code clients} clients' vectors stays within the signed range mod 2^bits. */
    public boolean fits(int clients) {
        double half = Math.scalb(1.0, bits - 1);
        return clients >= 1 && (double) clients * perClientBound() < half && (double) clients * maxExamples < half;
    }

    /** Throws {@link SecAggException.Reason#OVERFLOW} unless the sum of {@code clients} clients fits. */
    public void checkFits(int clients) {
        if (!fits(clients)) {
            throw new SecAggException(SecAggException.Reason.OVERFLOW, "the sum of " + clients + " clients (each up to "
                    + perClientBound() + " per coordinate, " + maxExamples + " examples) can wrap mod 2^" + bits);
        }
    }

    /**
     * The client's vector: {@code delta.length} quantised coordinates and the example count, each mod
     * 2^bits. {@code random} is used only for stochastic rounding.
     */
    public long[] quantise(float[] delta, long examples, Random random) {
        if (examples < 1 || examples > maxExamples) {
            throw new SecAggException(SecAggException.Reason.OVERFLOW, "example count " + examples + " is not in 1.."
                    + maxExamples);
        }
        long mask = mask();
        long[] out = new long[delta.length + 1];
        double factor = scale * examples;
        for (int i = 0; i < delta.length; i++) {
            float v = delta[i];
            if (!Float.isFinite(v)) {
                throw new SecAggException(SecAggException.Reason.OVERFLOW, "delta holds " + v + " at index " + i);
            }
            out[i] = round(Math.max(-clip, Math.min(clip, v)) * factor, random) & mask;
        }
        out[delta.length] = examples;
        return out;
    }

    private long round(double c, Random random) {
        if (rounding == Rounding.NEAREST) {
            return (long) Math.rint(c);
        }
        double floor = Math.floor(c);
        return (long) floor + (random.nextDouble() < c - floor ? 1 : 0);
    }

    /** Steps per unit of n·metric: scale · clip / {@value #METRIC_CLIP}. */
    public double metricScale() {
        return scale * clip / METRIC_CLIP;
    }

    /** One metric of a client with {@code examples} examples, as a coordinate mod 2^bits. */
    public long quantiseMetric(String name, double value, long examples, Random random) {
        if (!Double.isFinite(value)) {
            throw new SecAggException(SecAggException.Reason.OVERFLOW, "metric " + name + " is " + value);
        }
        double c = Math.max(-METRIC_CLIP, Math.min(METRIC_CLIP, value)) * metricScale() * examples;
        return round(c, random) & mask();
    }

    /** The example-weighted mean of a metric from its summed coordinate. */
    public double metricMean(long sum, long examples) {
        return signed(sum) / (metricScale() * examples);
    }

    /** The coordinate as a signed integer (two's complement in {@code bits} bits). */
    public long signed(long value) {
        return (value << (64 - bits)) >> (64 - bits);
    }

    /** Σn, the last coordinate of a sum. */
    public long examples(long[] sum) {
        return sum[sum.length - 1];
    }

    /** The example-weighted mean delta from a sum of quantised vectors. */
    public float[] mean(long[] sum) {
        long examples = examples(sum);
        if (examples < 1) {
            throw new SecAggException(SecAggException.Reason.OVERFLOW, "the sum holds " + examples + " examples");
        }
        double divisor = scale * examples;
        float[] mean = new float[sum.length - 1];
        for (int i = 0; i < mean.length; i++) {
            mean[i] = (float) (signed(sum[i]) / divisor);
        }
        return mean;
    }

    /**
     * The largest difference, per coordinate, between {@link #mean} and the exact example-weighted mean
     * of the clipped deltas of {@code contributors} clients with {@code examples} examples in all (the
     * float conversion of the result adds at most half an ulp).
     */
    public double meanErrorBound(int contributors, long examples) {
        return contributors * (rounding == Rounding.NEAREST ? 0.5 : 1.0) / (scale * examples);
    }
}
