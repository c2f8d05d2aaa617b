package dev.fieldline.federated.secagg;

import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.secagg.SecAggMessage.KeyDirectory;
import dev.fieldline.federated.secagg.SecAggMessage.ShareDelivery;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs a whole secure-aggregation session in one process: real {@link SecAggClient}s and a real
 * {@link SecAggServer}, every message encoded by {@link SecAggCodec} and decoded by its receiver, with
 * drop-outs at chosen points, timing each party and counting bytes. The simulation calls
 * {@link #run} and hands the result to {@code RoundCoordinator.closeWithMean}.
 */
public final class SecureAggregation {

    public enum Round { ADVERTISE_KEYS, SHARE_KEYS, MASKED_INPUT, UNMASKING }

    /**
     * Clients (by index) that stop answering: after advertising keys (before sending shares), after
     * sharing keys (before sending the masked input), after sending the masked input (before unmasking).
     */
    public record Dropouts(Set<Integer> beforeSharing, Set<Integer> beforeMasking, Set<Integer> afterMasking) {
        public static final Dropouts NONE = new Dropouts(Set.of(), Set.of(), Set.of());

        public Dropouts {
            beforeSharing = Set.copyOf(beforeSharing);
            beforeMasking = Set.copyOf(beforeMasking);
            afterMasking = Set.copyOf(afterMasking);
        }
    }

    /**
     * What one round cost.
     *
     * @param clients clients that sent this round's message
     * @param clientMillisMean mean compute time of a client (decode what it received, compute, encode)
     * @param clientMillisMax the slowest client's
     * @param serverMillis the server's time (decode, check, sum, close, encode)
     * @param bytesUpPerClient mean bytes a client sent
     * @param bytesDownPerClient mean bytes a client received at the end of the round
     */
    public record RoundCost(Round round, int clients, double clientMillisMean, double clientMillisMax,
            double serverMillis, long bytesUpPerClient, long bytesDownPerClient) {
    }

    /** The plain modular sum of the contributors' inputs, and the costs. */
    public record Sum(long[] sum, List<Integer> contributors, List<RoundCost> costs) {
        public Sum {
            contributors = List.copyOf(contributors);
            costs = List.copyOf(costs);
        }
    }

    /**
     * The example-weighted mean delta over the clients whose masked inputs the server received.
     *
     * @param errorBound the largest per-coordinate difference from the exact weighted mean of the clipped
     *     deltas ({@link Quantisation#meanErrorBound})
     * @param metrics example-weighted means of the metrics every client reported (loss, accuracy),
     *     aggregated securely as extra coordinates: each clipped to ±{@value Quantisation#METRIC_CLIP} and
     *     quantised at {@link Quantisation#metricScale()}, so within {@code errorBound · METRIC_CLIP / clip}
     *     of the exact weighted mean
     */
    public record Result(float[] meanDelta, List<String> contributors, long examples, double errorBound,
            Map<String, Double> metrics, List<RoundCost> costs) {
        public Result {
            contributors = List.copyOf(contributors);
            metrics = Map.copyOf(metrics);
            costs = List.copyOf(costs);
        }
    }

    private SecureAggregation() {
    }

    /**
     * Securely aggregates the updates: each client quantises its delta and example count
     * ({@link SecAggConfig#quantisation()}), masks it, and the server learns only the sum, from which it
     * forms the mean. Clients are numbered by increasing id. Drop-outs are named by client id.
     * {@code random} draws the session id, the keys, the self-mask seeds, the Shamir polynomials and the
     * stochastic rounding; with {@link Quantisation.Rounding#NEAREST} the result does not depend on it
     * (the masks cancel exactly), so a simulation may pass a seeded generator for repeatable runs.
     *
     * @throws SecAggException when fewer than t clients remain (the round is to be abandoned)
     */
    public static Result run(SecAggConfig config, List<ClientUpdate> inputs, Set<String> dropBeforeMasking,
            Set<String> dropAfterMasking, SecureRandom random) {
        List<ClientUpdate> sorted = new ArrayList<>(inputs);
        sorted.sort(Comparator.comparing(ClientUpdate::clientId));
        Map<String, Integer> indexOf = new LinkedHashMap<>();
        for (ClientUpdate u : sorted) {
            if (indexOf.put(u.clientId(), indexOf.size() + 1) != null) {
                throw new IllegalArgumentException("two updates of client " + u.clientId());
            }
        }
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no updates");
        }
        int length = sorted.get(0).delta().length;
        // metrics every client reported ride along as extra coordinates: [delta..., metrics..., examples]
        TreeSet<String> names = new TreeSet<>(sorted.get(0).metrics().keySet());
        sorted.forEach(u -> names.retainAll(u.metrics().keySet()));
        List<String> metricNames = new ArrayList<>(names);
        int k = metricNames.size();
        SecAggParams params = config.params(random.nextLong(), sorted.size(), length + k);
        Quantisation q = params.quantisation();
        List<long[]> vectors = new ArrayList<>();
        for (ClientUpdate u : sorted) {
            if (u.delta().length != length) {
                throw new IllegalArgumentException("update of " + u.clientId() + " holds " + u.delta().length
                        + " values, the first " + length);
            }
            long[] x = Arrays.copyOf(q.quantise(u.delta(), u.examples(), random), length + k + 1);
            for (int i = 0; i < k; i++) {
                x[length + i] = q.quantiseMetric(metricNames.get(i), u.metrics().get(metricNames.get(i)), u.examples(),
                        random);
            }
            x[length + k] = u.examples();
            vectors.add(x);
        }
        Sum s = sum(params, vectors, new Dropouts(Set.of(), indices(dropBeforeMasking, indexOf),
                indices(dropAfterMasking, indexOf)), random);
        List<String> contributors = s.contributors().stream().map(i -> sorted.get(i - 1).clientId()).toList();
        long examples = q.examples(s.sum());
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            metrics.put(metricNames.get(i), q.metricMean(s.sum()[length + i], examples));
        }
        float[] mean = Arrays.copyOf(q.mean(s.sum()), length);
        return new Result(mean, contributors, examples, q.meanErrorBound(contributors.size(), examples), metrics,
                s.costs());
    }

    private static Set<Integer> indices(Set<String> ids, Map<String, Integer> indexOf) {
        Set<Integer> out = new HashSet<>();
        for (String id : ids) {
            Integer i = indexOf.get(id);
            if (i == null) {
                throw new IllegalArgumentException("drop-out " + id + " has no update");
            }
            out.add(i);
        }
        return out;
    }

    /**
     * The protocol over already quantised inputs: {@code inputs.get(i)} is client i+1's vector of
     * {@code params.length()} values below 2^bits.
     */
    public static Sum sum(SecAggParams params, List<long[]> inputs, Dropouts dropouts, SecureRandom random) {
        int n = params.clients();
        if (inputs.size() != n) {
            throw new IllegalArgumentException(inputs.size() + " inputs for " + n + " clients");
        }
        SecAggCodec codec = new SecAggCodec(new SecAggCodec.Limits(Math.max(2, Math.min(n, SecAggParams.MAX_CLIENTS)),
                params.length()));
        SecAggServer server = new SecAggServer(params);
        List<SecAggClient> clients = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            clients.add(new SecAggClient(params, i, random));
        }
        List<RoundCost> costs = new ArrayList<>();
        Meter m;

        // round 0: advertise keys
        m = new Meter(Round.ADVERTISE_KEYS);
        List<SecAggClient> active = new ArrayList<>(clients);
        for (SecAggClient c : active) {
            byte[] up = m.client(() -> codec.encode(c.advertise()));
            m.server(() -> server.receive(codec.decode(up)));
            m.up(up.length);
        }
        byte[] directory = m.serverValue(() -> codec.encode(server.closeAdvertise()));
        m.down(directory.length, active.size());
        costs.add(m.cost());

        // round 1: share keys
        m = new Meter(Round.SHARE_KEYS);
        active.removeIf(c -> dropouts.beforeSharing().contains(c.index()));
        for (SecAggClient c : active) {
            byte[] up = m.client(() -> codec.encode(c.shareKeys((KeyDirectory) codec.decode(directory))));
            m.server(() -> server.receive(codec.decode(up)));
            m.up(up.length);
        }
        Map<Integer, byte[]> deliveries = new LinkedHashMap<>();
        Meter round1 = m;
        round1.server(() -> server.closeShareKeys().forEach((v, d) -> deliveries.put(v, codec.encode(d))));
        deliveries.values().forEach(d -> round1.down(d.length, 1));
        costs.add(m.cost());

        // round 2: masked input
        m = new Meter(Round.MASKED_INPUT);
        active.removeIf(c -> dropouts.beforeMasking().contains(c.index()));
        for (SecAggClient c : active) {
            byte[] delivery = deliveries.get(c.index());
            long[] x = inputs.get(c.index() - 1);
            byte[] up = m.client(() -> codec.encode(c.maskedInput((ShareDelivery) codec.decode(delivery), x)));
            m.server(() -> server.receive(codec.decode(up)));
            m.up(up.length);
        }
        byte[] request = m.serverValue(() -> codec.encode(server.closeMaskedInput()));
        m.down(request.length, active.size());
        costs.add(m.cost());

        // round 3: unmasking
        m = new Meter(Round.UNMASKING);
        active.removeIf(c -> dropouts.afterMasking().contains(c.index()));
        for (SecAggClient c : active) {
            byte[] up = m.client(() -> codec.encode(c.unmask((UnmaskRequest) codec.decode(request))));
            m.server(() -> server.receive(codec.decode(up)));
            m.up(up.length);
        }
        SecAggServer.Result result = m.serverValue(server::finish);
        costs.add(m.cost());
        return new Sum(result.sum(), result.contributors(), costs);
    }

    /** Times and counts one round. */
    private static final class Meter {
        private final Round round;
        private final List<Long> clientNanos = new ArrayList<>();
        private long serverNanos;
        private long up;
        private long down;
        private int downCount;

        Meter(Round round) {
            this.round = round;
        }

        <T> T client(java.util.function.Supplier<T> work) {
            long t0 = System.nanoTime();
            T value = work.get();
            clientNanos.add(System.nanoTime() - t0);
            return value;
        }

        void server(Runnable work) {
            long t0 = System.nanoTime();
            work.run();
            serverNanos += System.nanoTime() - t0;
        }

        <T> T serverValue(java.util.function.Supplier<T> work) {
            long t0 = System.nanoTime();
            T value = work.get();
            serverNanos += System.nanoTime() - t0;
            return value;
        }

        void up(int bytes) {
            up += bytes;
        }

        void down(int bytes, int recipients) {
            down += (long) bytes * recipients;
            downCount += recipients;
        }

        RoundCost cost() {
            int k = clientNanos.size();
            double mean = k == 0 ? 0 : clientNanos.stream().mapToLong(Long::longValue).sum() / 1e6 / k;
            double max = clientNanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
            return new RoundCost(round, k, mean, max, serverNanos / 1e6, k == 0 ? 0 : up / k,
                    downCount == 0 ? 0 : down / downCount);
        }
    }
}
