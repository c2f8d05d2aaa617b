package dev.fieldline.benchmarks;

import dev.fieldline.analytics.StreamKey;
import java.util.Random;

/**
 * Pre-generated readings for the benchmarks, so the measured loop only indexes arrays. Every key
 * reports once per second of event time, in a freshly shuffled order each second (a round); a
 * key's values are a mean-reverting random walk (Ornstein-Uhlenbeck) around its own level plus
 * measurement noise, with a rare spike (0.1 %) so detectors and the peer's threshold fire now and then.
 *
 * <p>The arrays hold {@link #size()} events, whole rounds; a benchmark replays them lap after lap,
 * with event time moved on by {@link #lapMillis()} per lap ({@link #timeMillis(int, long)}), so time
 * never goes backwards and a stream never ends. Because the walk reverts to its level, the seam
 * between laps is an ordinary step.
 */
public final class SyntheticReadings {
    /** Event time of the first reading: 2026-01-01T00:00:00Z. */
    static final long START_MILLIS = 1_767_225_600_000L;
    /** Most events held (64 Mi: 1.3 GB of arrays). */
    static final int MAX_EVENTS = 1 << 26;

    private final int keys;
    private final int[] key;
    private final long[] time;
    private final double[] value;
    private final long lapMillis;

    /**
     * @param keys how many streams (&gt;= 1)
     * @param minEvents at least this many events are made (whole rounds of every key, at least one round)
     * @param seed the random seed: the same seed gives the same readings
     */
    public SyntheticReadings(int keys, int minEvents, long seed) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be >= 1, was " + keys);
        }
        if (minEvents < 1 || minEvents > MAX_EVENTS) {
            throw new IllegalArgumentException("minEvents must be in [1, " + MAX_EVENTS + "], was " + minEvents);
        }
        long rounds = Math.max(1, (minEvents + (long) keys - 1) / keys);
        if (rounds * keys > MAX_EVENTS) {
            throw new IllegalArgumentException(keys + " keys x " + rounds + " rounds exceed " + MAX_EVENTS + " events");
        }
        int size = (int) (rounds * keys);
        this.keys = keys;
        this.key = new int[size];
        this.time = new long[size];
        this.value = new double[size];
        this.lapMillis = rounds * 1000;
        Random random = new Random(seed);
        double[] level = new double[keys];
        double[] walk = new double[keys];
        int[] order = new int[keys];
        for (int k = 0; k < keys; k++) {
            level[k] = 15 + 20 * random.nextDouble();
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
    }

    public int keys() {
        return keys;
    }

    /** How many events one lap holds: whole rounds. */
    public int size() {
        return key.length;
    }

    /** How far event time moves on per lap. */
    public long lapMillis() {
        return lapMillis;
    }

    /** The key index (0..keys-1) of event {@code i} of a lap. */
    public int key(int i) {
        return key[i];
    }

    public double value(int i) {
        return value[i];
    }

    /** Event time of event {@code i} of lap {@code lap}: never earlier than the event before it. */
    public long timeMillis(int i, long lap) {
        return time[i] + lap * lapMillis;
    }

    /** The stream of key index {@code k}: device {@code dev-k}, metric {@code temperature}. */
    public static StreamKey streamKey(int k) {
        return new StreamKey("dev-" + k, "temperature");
    }

    /** Every key's {@link #streamKey}, made once so the measured loop does not allocate keys. */
    public StreamKey[] streamKeys() {
        StreamKey[] all = new StreamKey[keys];
        for (int k = 0; k < keys; k++) {
            all[k] = streamKey(k);
        }
        return all;
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
