package dev.fieldline.benchmarks;

import java.util.Random;

/**
 * Pre-generated readings for the benchmarks, so the measured loop only indexes arrays. Every key
 * reports once per second of event time, in a freshly shuffled order each second; a key's values
 * are a mean-reverting random walk (Ornstein-Uhlenbeck) around its own level plus measurement
 * noise, with a rare spike (0.1 %) so detectors and the peer's threshold fire now and then.
 *
 * <p>The arrays hold {@link #size()} events (a power of two); {@link #timeMillis(long)} replays them
 * lap after lap with event time moved on by the lap's span, so time never goes backwards and a
 * stream never ends. Because the walk reverts to its level, the seam between laps is an ordinary step.
 */
public final class SyntheticReadings {
    /** Event time of the first reading: 2026-01-01T00:00:00Z. */
    static final long START_MILLIS = 1_767_225_600_000L;

    private final int keys;
    private final int[] key;
    private final long[] time;
    private final double[] value;
    private final int mask;
    private final long lapMillis;

    /**
     * @param keys how many streams (≥ 1)
     * @param log2Size the arrays hold 2^log2Size events (10..24)
     * @param seed the random seed: the same seed gives the same readings
     */
    public SyntheticReadings(int keys, int log2Size, long seed) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, was " + keys);
        }
        if (log2Size < 10 || log2Size > 24) {
            throw new IllegalArgumentException("log2Size must be in [10, 24], was " + log2Size);
        }
        int size = 1 << log2Size;
        this.keys = keys;
        this.key = new int[size];
        this.time = new long[size];
        this.value = new double[size];
        this.mask = size - 1;
        Random random = new Random(seed);
        double[] level = new double[keys];
        double[] walk = new double[keys];
        for (int k = 0; k < keys; k++) {
            level[k] = 15 + 20 * random.nextDouble();
        }
        int[] order = new int[keys];
        for (int k = 0; k < keys; k++) {
            order[k] = k;
        }
        for (int i = 0; i < size; i++) {
            int inRound = i % keys;
            if (inRound == 0) {
                shuffle(order, random);
            }
            int k = order[inRound];
            long second = i / keys;
            walk[k] += -0.05 * walk[k] + 0.2 * random.nextGaussian();
            double v = level[k] + walk[k] + 0.1 * random.nextGaussian();
            if (random.nextInt(1000) == 0) {
                v += (random.nextBoolean() ? 1 : -1) * (5 + 5 * random.nextDouble());
            }
            key[i] = k;
            time[i] = START_MILLIS + second * 1000 + (inRound * 1000L) / keys;
            value[i] = v;
        }
        long rounds = (size + keys - 1) / keys;
        this.lapMillis = rounds * 1000;
    }

    public int keys() {
        return keys;
    }

    /** How many events one lap holds. */
    public int size() {
        return key.length;
    }

    /** The key index (0..keys-1) of event {@code n} (n counts from 0 over all laps). */
    public int key(long n) {
        return key[(int) (n & mask)];
    }

    public double value(long n) {
        return value[(int) (n & mask)];
    }

    /** Event time of event {@code n}: never earlier than event n-1's. */
    public long timeMillis(long n) {
        return time[(int) (n & mask)] + (n >>> Integer.numberOfTrailingZeros(key.length)) * lapMillis;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
