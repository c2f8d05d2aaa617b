package dev.fieldline.federated;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of the two spec parsers a user types into: a strategy spec either builds a
 * strategy that aggregates or fails with {@link IllegalArgumentException}; a Byzantine spec either parses,
 * round-trips through {@link Byzantine#spec()} and forges an update of the same length, or fails the same way.
 * Nothing else escapes. Inputs in {@code src/test/resources/dev/fieldline/federated/StrategySpecFuzzTestInputs}.
 */
class StrategySpecFuzzTest {

    private static final List<ClientUpdate> UPDATES = List.of(
            new ClientUpdate("a", new float[] {1, 2}, 3, Map.of()),
            new ClientUpdate("b", new float[] {-1, 0}, 1, Map.of()),
            new ClientUpdate("c", new float[] {0.5f, 9}, 2, Map.of()),
            new ClientUpdate("d", new float[] {4, -4}, 5, Map.of()),
            new ClientUpdate("e", new float[] {0, 0}, 1, Map.of()));

    @FuzzTest(maxDuration = "30s")
    void strategies(String spec) {
        Strategy s;
        try {
            s = Strategies.create(spec);
        } catch (IllegalArgumentException expected) {
            return;
        }
        try {
            float[] next = s.aggregate(1, new float[2], UPDATES);
            if (next.length != 2) {
                throw new AssertionError(spec + " gave " + next.length + " weights");
            }
        } catch (AggregationException expected) {
            // e.g. krum with f too large for five updates
        }
    }

    @FuzzTest(maxDuration = "30s")
    void byzantine(String spec) {
        Byzantine b;
        try {
            b = Byzantine.parse(spec);
        } catch (IllegalArgumentException expected) {
            return;
        }
        if (!Byzantine.parse(b.spec()).equals(b)) {
            throw new AssertionError(spec + " does not round-trip: " + b.spec());
        }
        if (b.apply(UPDATES.get(0), new java.util.Random(1)).delta().length != 2) {
            throw new AssertionError("forged update of another length");
        }
        if (b.attackers(List.of("a", "b", "c"), 1).size() != b.count(3)) {
            throw new AssertionError("wrong number of attackers");
        }
    }
}
