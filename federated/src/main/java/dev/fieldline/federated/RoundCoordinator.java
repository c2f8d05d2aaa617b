package dev.fieldline.federated;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * The server's side of federated learning without I/O: one round at a time, it samples clients,
 * collects their validated updates until all have answered or the deadline passes, and then either
 * aggregates them into the next global version (if at least {@link Config#minUpdates()} arrived) or
 * abandons the round, leaving the global weights unchanged. Time is passed in, so the simulation runs
 * it without waiting and the gateway drives it from its clock. Not thread-safe: callers serialise.
 *
 * <p>Everything needed to resume after a restart is in {@link #snapshot()}; {@link #restore} takes it back.
 */
public final class RoundCoordinator {

    /**
     * @param fraction fraction of the available clients sampled per round (the seed's {@code select_clients})
     * @param minClients at least this many are sampled, and a round starts only with this many available
     * @param minUpdates a round aggregates only with at least this many accepted updates, else it is abandoned
     * @param deadline how long clients have from the announcement
     * @param plan how clients train (the strategy's client settings are merged in; each round mixes its number into
     *     the seed, so clients shuffle differently every round)
     * @param seed seed of the sampling (mixed with the round number)
     */
    public record Config(double fraction, int minClients, int minUpdates, Duration deadline, TrainingPlan plan,
            long seed) {
        public Config {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
            }
            if (minClients < 1) {
                throw new IllegalArgumentException("minClients must be >= 1, was " + minClients);
            }
            if (minUpdates < 1 || minUpdates > minClients) {
                throw new IllegalArgumentException("minUpdates must be in 1..minClients (" + minClients + "), was "
                        + minUpdates);
            }
            if (deadline.isNegative() || deadline.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + deadline);
            }
        }
    }

    /** An announced round: which clients train from which version, how, and until when. */
    public record RoundPlan(int round, int version, List<String> selected, TrainingPlan plan, Instant started,
            Instant deadline) {
        public RoundPlan {
            selected = List.copyOf(selected);
        }
    }

    public enum Outcome { AGGREGATED, ABANDONED }

    /**
     * A finished round.
     *
     * @param version the global version after the round (unchanged when abandoned)
     * @param contributors clients whose updates were aggregated
     * @param rejected clients whose update was refused, with the reason's label
     * @param metrics example-weighted means of the clients' metrics
     * @param reason why it was abandoned, or "" when aggregated
     */
    public record RoundResult(int round, Outcome outcome, int version, List<String> selected, List<String> contributors,
            Map<String, String> rejected, long examples, Map<String, Double> metrics, String reason) {
        public RoundResult {
            selected = List.copyOf(selected);
            contributors = List.copyOf(contributors);
            rejected = Map.copyOf(rejected);
            metrics = Map.copyOf(metrics);
        }
    }

    /** What happened to a submitted update. */
    public enum Submission { ACCEPTED, REJECTED, DUPLICATE, NOT_SELECTED, LATE, NO_ROUND }

    /**
     * The mean delta a linear strategy applies: by default the example-weighted mean; DP-FedAvg
     * replaces it with a clipped, noised mean.
     */
    @FunctionalInterface
    public interface MeanAggregator {
        MeanAggregator WEIGHTED = Strategy::weightedMean;

        float[] mean(List<ClientUpdate> updates);
    }

    /** What a restart needs: the global model and strategy state, and the open round with its updates. */
    public record Snapshot(int version, int lastRound, float[] global, Map<String, float[]> strategyState,
            RoundPlan open, List<ClientUpdate> received, Map<String, String> rejected) {
    }

    private final Config config;
    private final Strategy strategy;
    private final UpdateValidator validator;
    private final MeanAggregator aggregator;
    private float[] global;
    private int version;
    private int lastRound;
    private RoundPlan open;
    private final Map<String, ClientUpdate> received = new LinkedHashMap<>();
    private final Map<String, String> rejected = new LinkedHashMap<>();
    private final Map<UpdateRejected.Reason, Long> rejectedTotal = new HashMap<>();

    public RoundCoordinator(Config config, Strategy strategy, UpdateValidator validator, float[] initialGlobal) {
        this(config, strategy, validator, initialGlobal, MeanAggregator.WEIGHTED);
    }

    public RoundCoordinator(Config config, Strategy strategy, UpdateValidator validator, float[] initialGlobal,
            MeanAggregator aggregator) {
        if (initialGlobal.length != validator.layout().size()) {
            throw new IllegalArgumentException("initial weights hold " + initialGlobal.length + " values, the layout "
                    + validator.layout().size());
        }
        if (aggregator != MeanAggregator.WEIGHTED && !strategy.linear()) {
            throw new IllegalArgumentException(strategy.name() + " needs individual updates; it cannot take a "
                    + "private or securely aggregated mean");
        }
        this.config = config;
        this.strategy = strategy;
        this.validator = validator;
        this.aggregator = aggregator;
        this.global = initialGlobal.clone();
    }

    public Config config() {
        return config;
    }

    public Strategy strategy() {
        return strategy;
    }

    public WeightLayout layout() {
        return validator.layout();
    }

    /** The current global weights (a copy). */
    public float[] global() {
        return global.clone();
    }

    public int version() {
        return version;
    }

    /** The round in progress, or null. */
    public RoundPlan open() {
        return open;
    }

    /** Updates refused since start, by reason. */
    public Map<UpdateRejected.Reason, Long> rejectedTotal() {
        return Map.copyOf(rejectedTotal);
    }

    /**
     * Starts the next round over the available clients, or returns null (and starts nothing) when fewer
     * than {@link Config#minClients()} are available.
     */
    public RoundPlan start(Collection<String> available, Instant now) {
        if (open != null) {
            throw new IllegalStateException("round " + open.round() + " is still open");
        }
        List<String> pool = new ArrayList<>(new TreeSet<>(available));
        if (pool.size() < config.minClients()) {
            return null;
        }
        int round = lastRound + 1;
        int k = Math.min(pool.size(), Math.max(config.minClients(), (int) Math.ceil(config.fraction() * pool.size())));
        Random random = new Random(config.seed() * 31 + round);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(pool.size() - i);
            String tmp = pool.get(i);
            pool.set(i, pool.get(j));
            pool.set(j, tmp);
        }
        List<String> selected = new ArrayList<>(new TreeSet<>(pool.subList(0, k)));
        // a new shuffling seed each round, so a client does not visit its examples in the same order every round
        TrainingPlan plan = config.plan().withSeed(config.plan().seed() * 1_000_003L + round);
        Double mu = strategy.clientSettings().get("proximal_mu");
        if (mu != null) {
            plan = plan.withProximalMu(mu);
        }
        open = new RoundPlan(round, version, selected, plan, now, now.plus(config.deadline()));
        lastRound = round;
        received.clear();
        rejected.clear();
        return open;
    }

    /** Takes a client's update for the open round. A refused update is counted; its reason is in the result. */
    public Submission submit(int round, ClientUpdate update, Instant now) {
        if (open == null || open.round() != round) {
            return open == null || round < open.round() ? (open == null ? Submission.NO_ROUND : Submission.LATE)
                    : Submission.NO_ROUND;
        }
        if (!open.selected().contains(update.clientId())) {
            return Submission.NOT_SELECTED;
        }
        if (now.isAfter(open.deadline())) {
            return Submission.LATE;
        }
        if (received.containsKey(update.clientId()) || rejected.containsKey(update.clientId())) {
            return Submission.DUPLICATE;
        }
        try {
            validator.check(update);
        } catch (UpdateRejected e) {
            rejected.put(update.clientId(), e.reason().label());
            rejectedTotal.merge(e.reason(), 1L, Long::sum);
            return Submission.REJECTED;
        }
        received.put(update.clientId(), update);
        return Submission.ACCEPTED;
    }

    /** Counts an update refused before it could be decoded (too large, malformed) against its client. */
    public void rejectUndecodable(String clientId, UpdateRejected.Reason reason) {
        rejectedTotal.merge(reason, 1L, Long::sum);
        if (open != null && open.selected().contains(clientId) && !received.containsKey(clientId)) {
            rejected.putIfAbsent(clientId, reason.label());
        }
    }

    /** Whether every selected client has answered (accepted or refused), so the round can close early. */
    public boolean allAnswered() {
        return open != null && received.size() + rejected.size() >= open.selected().size();
    }

    /** Whether the open round's deadline has passed. */
    public boolean pastDeadline(Instant now) {
        return open != null && now.isAfter(open.deadline());
    }

    /**
     * Closes the open round: aggregates the accepted updates, or abandons it when too few arrived or the
     * strategy cannot aggregate them ({@link AggregationException}, e.g. Krum with too few updates).
     */
    public RoundResult close() {
        RoundPlan plan = requireOpen();
        List<ClientUpdate> updates = new ArrayList<>(received.values());
        if (updates.size() < config.minUpdates()) {
            return abandon(plan.round() + ": " + updates.size() + " of " + plan.selected().size()
                    + " clients answered, fewer than the minimum of " + config.minUpdates());
        }
        Map<String, float[]> before = strategy.state();
        float[] next;
        try {
            next = aggregator == MeanAggregator.WEIGHTED
                    ? strategy.aggregate(plan.round(), global, updates)
                    : strategy.applyMean(plan.round(), global, aggregator.mean(updates));
        } catch (AggregationException e) {
            strategy.restore(before);
            return abandon(plan.round() + ": " + e.getMessage());
        }
        return rollBackIfAbandoned(finish(plan, next, updates), before);
    }

    /**
     * Closes the open round with a mean delta computed elsewhere (by secure aggregation, which never shows
     * the server an individual update) over the given contributors. Needs a linear strategy.
     */
    public RoundResult closeWithMean(float[] meanDelta, List<String> contributors, long examples,
            Map<String, Double> metrics) {
        RoundPlan plan = requireOpen();
        if (!strategy.linear()) {
            throw new IllegalStateException(strategy.name() + " needs individual updates");
        }
        if (contributors.size() < config.minUpdates()) {
            return abandon(plan.round() + ": " + contributors.size() + " contributors, fewer than the minimum of "
                    + config.minUpdates());
        }
        if (meanDelta.length != global.length) {
            throw new IllegalArgumentException("mean holds " + meanDelta.length + " values, the model " + global.length);
        }
        Map<String, float[]> before = strategy.state();
        float[] next = strategy.applyMean(plan.round(), global, meanDelta);
        return rollBackIfAbandoned(complete(plan, next, contributors, examples, metrics), before);
    }

    /** Abandons the open round (a gateway shutting down, an operator's request). */
    public RoundResult abandon(String reason) {
        RoundPlan plan = requireOpen();
        RoundResult r = new RoundResult(plan.round(), Outcome.ABANDONED, version, plan.selected(),
                List.of(), rejected, 0, Map.of(), "round " + reason);
        open = null;
        received.clear();
        rejected.clear();
        return r;
    }

    /** A round abandoned after aggregating (non-finite weights) leaves the server optimiser as it was. */
    private RoundResult rollBackIfAbandoned(RoundResult result, Map<String, float[]> before) {
        if (result.outcome() == Outcome.ABANDONED) {
            strategy.restore(before);
        }
        return result;
    }

    private RoundResult finish(RoundPlan plan, float[] next, List<ClientUpdate> updates) {
        long examples = 0;
        Map<String, Double> sums = new LinkedHashMap<>();
        List<String> contributors = new ArrayList<>();
        for (ClientUpdate u : updates) {
            examples += u.examples();
            contributors.add(u.clientId());
            for (Map.Entry<String, Double> m : u.metrics().entrySet()) {
                sums.merge(m.getKey(), m.getValue() * u.examples(), Double::sum);
            }
        }
        Map<String, Double> means = new LinkedHashMap<>();
        for (Map.Entry<String, Double> s : sums.entrySet()) {
            means.put(s.getKey(), s.getValue() / examples);
        }
        return complete(plan, next, contributors, examples, means);
    }

    private RoundResult complete(RoundPlan plan, float[] next, List<String> contributors, long examples,
            Map<String, Double> metrics) {
        for (float v : next) {
            if (!Float.isFinite(v)) {
                return abandon(plan.round() + ": aggregation gave a non-finite weight");
            }
        }
        global = next;
        version++;
        RoundResult r = new RoundResult(plan.round(), Outcome.AGGREGATED, version, plan.selected(), contributors,
                rejected, examples, metrics, "");
        open = null;
        received.clear();
        rejected.clear();
        return r;
    }

    private RoundPlan requireOpen() {
        if (open == null) {
            throw new IllegalStateException("no round is open");
        }
        return open;
    }

    public Snapshot snapshot() {
        return new Snapshot(version, lastRound, global.clone(), strategy.state(), open,
                List.copyOf(received.values()), Map.copyOf(rejected));
    }

    public void restore(Snapshot s) {
        if (s.global().length != global.length) {
            throw new IllegalArgumentException("snapshot holds " + s.global().length + " weights, the model " + global.length);
        }
        version = s.version();
        lastRound = s.lastRound();
        global = s.global().clone();
        strategy.restore(s.strategyState());
        open = s.open();
        received.clear();
        for (ClientUpdate u : s.received()) {
            received.put(u.clientId(), u);
        }
        rejected.clear();
        rejected.putAll(s.rejected());
    }
}
