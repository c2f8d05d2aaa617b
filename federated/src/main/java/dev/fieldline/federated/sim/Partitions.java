package dev.fieldline.federated.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How a simulation splits the training examples among its clients, by spec:
 * <ul>
 *   <li>{@code iid}: shuffled, then cut into N parts whose sizes differ by at most one.</li>
 *   <li>{@code shards:K}: McMahan et al. (2017): the examples sorted by label (shuffled within a label), cut into
 *       N·K equal shards, and each client given K shards at random; a client sees at most about K classes.</li>
 *   <li>{@code dirichlet:A}: as Flower's niid_bench ({@code partition_data_dirichlet}): for each class, the
 *       class's examples are shuffled and divided among the clients in proportions drawn from Dirichlet(A, …, A);
 *       a client that already holds at least 1/N of the examples gets no share of later classes (niid_bench's
 *       balancing). The whole draw is repeated until every client holds at least {@link #DIRICHLET_MIN_EXAMPLES}
 *       examples, at most {@link #DIRICHLET_MAX_DRAWS} times. Smaller A is more skewed.</li>
 * </ul>
 * Every split is a function of the labels, N and the seed alone. Each client's indices are returned ascending.
 */
public final class Partitions {

    /** Examples every client must hold after a Dirichlet draw (niid_bench's {@code min_required_samples_per_client}). */
    public static final int DIRICHLET_MIN_EXAMPLES = 10;
    /** Draws tried before a Dirichlet split is refused. */
    public static final int DIRICHLET_MAX_DRAWS = 1000;

    private Partitions() {
    }

    /** A way to split examples among clients. */
    public sealed interface Scheme permits Iid, Shards, Dirichlet {
        /**
         * The indices into {@code labels} each of {@code clients} clients holds; every example goes to exactly
         * one client.
         *
         * @param labels each example's class, {@code 0..classes-1}
         * @throws IllegalArgumentException when the examples cannot be split so (too few for the clients)
         */
        int[][] split(int[] labels, int classes, int clients, long seed);

        /** The spec that {@link #parse} reads back. */
        String spec();
    }

    /** Independent and identically distributed: a shuffled, even split. */
    public record Iid() implements Scheme {
        @Override
        public int[][] split(int[] labels, int classes, int clients, long seed) {
            check(labels, classes, clients, clients);
            int[] order = shuffled(labels.length, new Random(seed));
            int[][] parts = new int[clients][];
            for (int c = 0; c < clients; c++) {
                parts[c] = sorted(Arrays.copyOfRange(order, bound(c, clients, order.length),
                        bound(c + 1, clients, order.length)));
            }
            return parts;
        }

        @Override
        public String spec() {
            return "iid";
        }
    }

    /** McMahan et al.'s pathological non-IID split: K label-sorted shards per client. */
    public record Shards(int perClient) implements Scheme {
        public Shards {
            if (perClient < 1) {
                throw new IllegalArgumentException("shards per client must be >= 1, was " + perClient);
            }
        }

        @Override
        public int[][] split(int[] labels, int classes, int clients, long seed) {
            long shards = (long) clients * perClient;
            if (shards > labels.length) {
                throw new IllegalArgumentException(clients + " clients × " + perClient + " shards need at least "
                        + shards + " examples, there are " + labels.length);
            }
            check(labels, classes, clients, clients);
            Random random = new Random(seed);
            int[] order = shuffled(labels.length, random);
            // stable counting sort by label keeps the shuffled order within a label
            int[] start = new int[classes + 1];
            for (int l : labels) {
                start[l + 1]++;
            }
            for (int k = 0; k < classes; k++) {
                start[k + 1] += start[k];
            }
            int[] byLabel = new int[labels.length];
            for (int i : order) {
                byLabel[start[labels[i]]++] = i;
            }
            int n = (int) shards;
            int[] shardOrder = shuffled(n, random);
            int[][] parts = new int[clients][];
            for (int c = 0; c < clients; c++) {
                List<int[]> own = new ArrayList<>();
                int size = 0;
                for (int s = 0; s < perClient; s++) {
                    int shard = shardOrder[c * perClient + s];
                    int[] part = Arrays.copyOfRange(byLabel, bound(shard, n, byLabel.length), bound(shard + 1, n,
                            byLabel.length));
                    own.add(part);
                    size += part.length;
                }
                int[] all = new int[size];
                int at = 0;
                for (int[] part : own) {
                    System.arraycopy(part, 0, all, at, part.length);
                    at += part.length;
                }
                parts[c] = sorted(all);
            }
            return parts;
        }

        @Override
        public String spec() {
            return "shards:" + perClient;
        }
    }

    /** Label skew with per-class client proportions drawn from Dirichlet(alpha). */
    public record Dirichlet(double alpha) implements Scheme {
        public Dirichlet {
            if (!(alpha > 0) || !Double.isFinite(alpha)) {
                throw new IllegalArgumentException("Dirichlet alpha must be a positive number, was " + alpha);
            }
        }

        @Override
        public int[][] split(int[] labels, int classes, int clients, long seed) {
            check(labels, classes, clients, (long) clients * DIRICHLET_MIN_EXAMPLES);
            int[][] byClass = new int[classes][];
            int[] count = new int[classes];
            for (int l : labels) {
                count[l]++;
            }
            for (int k = 0; k < classes; k++) {
                byClass[k] = new int[count[k]];
            }
            int[] fill = new int[classes];
            for (int i = 0; i < labels.length; i++) {
                byClass[labels[i]][fill[labels[i]]++] = i;
            }
            Random random = new Random(seed);
            double fair = labels.length / (double) clients;
            int smallest = 0;
            for (int draw = 1; draw <= DIRICHLET_MAX_DRAWS; draw++) {
                List<List<Integer>> own = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    own.add(new ArrayList<>());
                }
                for (int k = 0; k < classes; k++) {
                    int[] idx = byClass[k].clone();
                    shuffle(idx, random);
                    double[] p = dirichlet(alpha, clients, random);
                    double sum = 0;
                    for (int c = 0; c < clients; c++) {
                        if (own.get(c).size() >= fair) {
                            p[c] = 0;
                        }
                        sum += p[c];
                    }
                    // cumulative cut points, truncated as niid_bench's astype(int); the last client takes the rest
                    int from = 0;
                    double cum = 0;
                    for (int c = 0; c < clients; c++) {
                        int to;
                        if (c == clients - 1) {
                            to = idx.length;
                        } else {
                            cum += sum > 0 ? p[c] / sum : 1.0 / clients;
                            to = Math.max(from, Math.min(idx.length, (int) (cum * idx.length)));
                        }
                        for (int j = from; j < to; j++) {
                            own.get(c).add(idx[j]);
                        }
                        from = to;
                    }
                }
                smallest = own.stream().mapToInt(List::size).min().orElse(0);
                if (smallest >= DIRICHLET_MIN_EXAMPLES) {
                    int[][] parts = new int[clients][];
                    for (int c = 0; c < clients; c++) {
                        parts[c] = sorted(own.get(c).stream().mapToInt(Integer::intValue).toArray());
                    }
                    return parts;
                }
            }
            throw new IllegalArgumentException("dirichlet:" + alpha + " left a client with fewer than "
                    + DIRICHLET_MIN_EXAMPLES + " examples in each of " + DIRICHLET_MAX_DRAWS + " draws (the last: "
                    + smallest + "); use a larger alpha or fewer clients");
        }

        @Override
        public String spec() {
            return "dirichlet:" + alpha;
        }
    }

    /**
     * Reads {@code iid}, {@code shards:K} (K a whole number &ge; 1) or {@code dirichlet:A} (A a positive number).
     *
     * @throws IllegalArgumentException naming the spec and what is expected
     */
    public static Scheme parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("partition must not be empty; expected iid, shards:K or dirichlet:A");
        }
        String s = spec.trim();
        int colon = s.indexOf(':');
        String name = (colon < 0 ? s : s.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String arg = colon < 0 ? null : s.substring(colon + 1).trim();
        switch (name) {
            case "iid" -> {
                if (arg != null) {
                    throw new IllegalArgumentException("partition '" + spec + "': iid takes no parameter");
                }
                return new Iid();
            }
            case "shards" -> {
                int k;
                try {
                    k = Integer.parseInt(require(spec, arg, "K"));
                } catch (NumberFormatException e) {
                    k = 0;
                }
                if (k < 1) {
                    throw new IllegalArgumentException("partition '" + spec + "': K in shards:K must be a whole number >= 1, was '"
                            + arg + "'");
                }
                return new Shards(k);
            }
            case "dirichlet" -> {
                double a;
                try {
                    a = Double.parseDouble(require(spec, arg, "A"));
                } catch (NumberFormatException e) {
                    a = Double.NaN;
                }
                if (!(a > 0) || !Double.isFinite(a)) {
                    throw new IllegalArgumentException("partition '" + spec + "': A in dirichlet:A must be a positive number, was '"
                            + arg + "'");
                }
                return new Dirichlet(a);
            }
            default -> throw new IllegalArgumentException("unknown partition '" + spec
                    + "'; expected iid, shards:K or dirichlet:A");
        }
    }

    private static String require(String spec, String arg, String what) {
        if (arg == null || arg.isEmpty()) {
            throw new IllegalArgumentException("partition '" + spec + "' needs " + what + " after the colon");
        }
        return arg;
    }

    private static void check(int[] labels, int classes, int clients, long needed) {
        if (clients < 1) {
            throw new IllegalArgumentException("clients must be >= 1, was " + clients);
        }
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, was " + classes);
        }
        if (labels.length < needed) {
            throw new IllegalArgumentException(clients + " clients need at least " + needed + " examples, there are "
                    + labels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", not in 0.." + (classes - 1));
            }
        }
    }

    /** Start of part {@code i} of {@code parts} over {@code n} items: sizes differ by at most one. */
    private static int bound(int i, int parts, int n) {
        return (int) ((long) i * n / parts);
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, random);
        return order;
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static int[] sorted(int[] a) {
        Arrays.sort(a);
        return a;
    }

    /** A draw from Dirichlet(alpha, …, alpha) of dimension {@code n}: normalised Gamma(alpha, 1) draws. */
    static double[] dirichlet(double alpha, int n, Random random) {
        double[] g = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            g[i] = gamma(alpha, random);
            sum += g[i];
        }
        if (!(sum > 0)) {
            // every draw underflowed (tiny alpha): all mass on one client, chosen uniformly
            Arrays.fill(g, 0);
            g[random.nextInt(n)] = 1;
            return g;
        }
        for (int i = 0; i < n; i++) {
            g[i] /= sum;
        }
        return g;
    }

    /**
     * Gamma(shape, 1) by Marsaglia and Tsang (2000); for shape &lt; 1, Gamma(shape + 1)·U^(1/shape).
     */
    static double gamma(double shape, Random random) {
        if (shape < 1) {
            double u = random.nextDouble();
            return gamma(shape + 1, random) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = random.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = random.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }
}
