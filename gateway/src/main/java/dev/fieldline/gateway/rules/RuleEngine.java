package dev.fieldline.gateway.rules;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.gateway.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every {@link Observation} against the enabled rules whose scope covers its stream.
 * Per (rule, stream) it remembers since when (event time) the condition has held and whether the
 * rule fired: it fires once when the condition has held for the rule's {@code for} (at once when
 * there is none) and calls {@link ActionRunner#fired}; when the condition stops holding after
 * that, {@link ActionRunner#cleared}. Counts {@code rule_evaluations_total{rule}},
 * {@code rule_fired_total{rule}} and {@code rule_failed_total{rule}} (an action runner that threw).
 *
 * <p>{@link #evaluate}, {@link #replace} and {@link #expireIdle} exclude each other (the action runner is
 * never called concurrently, and a replaced rule's state is not recreated by an evaluation in flight);
 * the gateway calls evaluate on its analytics thread, replace on the rules file's. The views may be
 * called from any thread.
 */
public final class RuleEngine {
    public static final String EVALUATIONS = "rule_evaluations_total";
    public static final String FIRED = "rule_fired_total";
    public static final String FAILED = "rule_failed_total";

    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    private final ActionRunner runner;
    private final DeviceLabels labels;
    private final Metrics metrics;
    private final Clock clock;
    private volatile List<Rule> rules = List.of();
    /** The rules in force with their state and counters, in order (the evaluation's view). */
    private volatile List<Active> active = List.of();
    private final Map<String, Map<StreamKey, StreamState>> states = new ConcurrentHashMap<>();

    /** What the engine knows about one rule on one stream. */
    private static final class StreamState {
        /** Event time since which the condition has held; -1 when it does not hold. */
        volatile long holdingSince = -1;
        volatile boolean fired;
        volatile long lastEventTime;
        volatile long lastSeenMillis;
        volatile double lastValue;
        /** The reading itself, last time (what a clearing firing carries as its value). */
        volatile double lastReading;
        volatile Instant firedAt;
    }

    /** A rule in force: its per-stream state and its counters, looked up once. */
    private record Active(Rule rule, Map<StreamKey, StreamState> perStream, LongAdder evaluations, LongAdder fired,
            LongAdder failed) {
    }

    /**
     * A rule's state on one stream, as the API shows it.
     *
     * @param holdingSince event time since which the condition has held, if it holds
     * @param fired whether the rule has fired and not cleared on this stream
     * @param firedAt when it fired
     * @param lastValue the quantity the condition looked at, last time
     */
    public record StreamView(StreamKey key, Optional<Instant> holdingSince, boolean fired, Optional<Instant> firedAt,
            double lastValue, Instant lastEventTime) {
    }

    public RuleEngine(ActionRunner runner, DeviceLabels labels, Metrics metrics, Clock clock) {
        this.runner = runner;
        this.labels = labels;
        this.metrics = metrics;
        this.clock = clock;
    }

    public ActionRunner runner() {
        return runner;
    }

    /** The rules in force, enabled or not, in order. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * Puts a new rule set in force atomically. A rule whose definition is unchanged keeps its
     * per-stream state; the state of a removed, changed or disabled rule is dropped, and where it had
     * fired its actions are told the condition cleared.
     */
    public synchronized void replace(List<Rule> next) {
        Map<String, Rule> keep = new HashMap<>();
        for (Rule r : next) {
            keep.put(r.id(), r);
        }
        for (Rule old : rules) {
            Rule now = keep.get(old.id());
            if (now == null || !now.equals(old) || !now.enabled()) {
                Map<StreamKey, StreamState> dropped = states.remove(old.id());
                if (dropped != null) {
                    dropped.forEach((key, s) -> {
                        if (s.fired) {
                            clear(old, key, s, s.lastReading, s.lastEventTime);
                        }
                    });
                }
            }
        }
        rules = List.copyOf(next);
        List<Active> a = new ArrayList<>();
        for (Rule r : rules) {
            if (r.enabled()) {
                a.add(new Active(r, states.computeIfAbsent(r.id(), k -> new ConcurrentHashMap<>()),
                        metrics.counter(EVALUATIONS, "rule", r.id()), metrics.counter(FIRED, "rule", r.id()),
                        metrics.counter(FAILED, "rule", r.id())));
            }
        }
        active = List.copyOf(a);
    }

    /** Evaluates the observation against every enabled rule in scope. */
    public synchronized void evaluate(Observation o) {
        for (Active a : active) {
            Rule r = a.rule();
            if (!r.covers(o.key(), labels)) {
                continue;
            }
            a.evaluations().increment();
            StreamState s = a.perStream().computeIfAbsent(o.key(), k -> new StreamState());
            double subject = r.when().subject(o);
            s.lastValue = subject;
            s.lastReading = o.value();
            s.lastEventTime = o.timeMillis();
            s.lastSeenMillis = clock.millis();
            if (r.when().test(o)) {
                if (s.holdingSince < 0) {
                    s.holdingSince = o.timeMillis();
                }
                if (!s.fired && o.timeMillis() - s.holdingSince >= r.holdFor().toMillis()) {
                    s.fired = true;
                    s.firedAt = clock.instant();
                    a.fired().increment();
                    try {
                        runner.fired(r.actions(), firing(r, o.key(), o.value(), o.timeMillis(), details(r, o, subject)));
                    } catch (RuntimeException e) {
                        a.failed().increment();
                        log.warn("rule {} on {}: actions failed: {}", r.id(), o.key(), e.toString());
                    }
                }
            } else {
                s.holdingSince = -1;
                if (s.fired) {
                    clear(r, o.key(), s, o.value(), o.timeMillis());
                }
            }
        }
    }

    private void clear(Rule r, StreamKey key, StreamState s, double value, long eventTime) {
        s.fired = false;
        s.firedAt = null;
        try {
            runner.cleared(r.actions(), firing(r, key, value, eventTime, Map.of()));
        } catch (RuntimeException e) {
            metrics.increment(FAILED, "rule", r.id());
            log.warn("rule {} on {}: clearing actions failed: {}", r.id(), key, e.toString());
        }
    }

    private RuleFiring firing(Rule r, StreamKey key, double value, long eventTime, Map<String, Object> details) {
        return new RuleFiring(r.id(), r.name().isEmpty() ? r.id() : r.name(), key.deviceId(), key.metric(), value,
                r.conditionText(), r.severity(), Instant.ofEpochMilli(eventTime), clock.instant(), details);
    }

    /**
     * What the rule saw: the reading's statistics, and the quantity its condition tested
     * ({@code subject}: the anomaly score for {@code anomaly_score > 0.9}) with the condition's
     * {@code threshold} when it compares with a number (alerts store that as their threshold).
     */
    private static Map<String, Object> details(Rule r, Observation o, double subject) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", o.value());
        m.put("subject", subject);
        if (r.when() instanceof Condition.Compare c) {
            m.put("threshold", c.threshold());
        }
        m.put("count", o.count());
        m.put("mean", o.mean());
        m.put("stddev", o.stddev());
        m.put("ewma", o.ewma());
        m.put("rate", o.ratePerSecond());
        m.put("anomalyScore", o.anomalyScore());
        if (o.trend() != null) {
            m.put("trend", o.trend().direction().code());
        }
        return m;
    }

    /**
     * Forgets the state of streams not evaluated for {@code idle} (wall clock), as the stream engine
     * forgets idle keys. A fired rule on a forgotten stream is not cleared: nothing new was seen.
     *
     * @return how many (rule, stream) states were dropped
     */
    public synchronized int expireIdle(Duration idle) {
        long before = clock.millis() - idle.toMillis();
        int n = 0;
        for (Map<StreamKey, StreamState> perStream : states.values()) {
            var it = perStream.entrySet().iterator();
            while (it.hasNext()) {
                if (it.next().getValue().lastSeenMillis < before) {
                    it.remove();
                    n++;
                }
            }
        }
        return n;
    }

    /** The rule's state on every stream it has seen (fired ones first), at most {@code limit}. */
    public List<StreamView> streams(String ruleId, int limit) {
        List<StreamView> out = new ArrayList<>();
        Map<StreamKey, StreamState> perStream = states.getOrDefault(ruleId, Map.of());
        perStream.forEach((k, s) -> out.add(new StreamView(k,
                s.holdingSince < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(s.holdingSince)), s.fired,
                Optional.ofNullable(s.firedAt), s.lastValue, Instant.ofEpochMilli(s.lastEventTime))));
        out.sort((a, b) -> Boolean.compare(b.fired(), a.fired()));
        return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
    }

    /** How many streams a rule is tracking and on how many of them it has fired. */
    public record Counts(int streams, int fired) {
    }

    public Counts counts(String ruleId) {
        Map<StreamKey, StreamState> perStream = states.getOrDefault(ruleId, Map.of());
        int fired = 0;
        for (StreamState s : perStream.values()) {
            if (s.fired) {
                fired++;
            }
        }
        return new Counts(perStream.size(), fired);
    }
}
