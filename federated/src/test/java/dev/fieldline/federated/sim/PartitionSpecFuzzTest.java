package dev.fieldline.federated.sim;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing (Jazzer) of the partition spec a user types into {@code fl simulate --partition}: it
 * either parses, round-trips through {@link Partitions.Scheme#spec()} and splits 200 labelled examples among 7
 * clients so that each example goes to exactly one client, or fails with {@link IllegalArgumentException}.
 * Nothing else escapes. Inputs in {@code src/test/resources/dev/fieldline/federated/sim/PartitionSpecFuzzTestInputs}.
 */
class PartitionSpecFuzzTest {

    private static final int[] LABELS = new int[200];

    static {
        for (int i = 0; i < LABELS.length; i++) {
            LABELS[i] = (i * 7) % 10;
        }
    }

    @FuzzTest(maxDuration = "30s")
    void partitions(String spec) {
        Partitions.Scheme s;
        try {
            s = Partitions.parse(spec);
        } catch (IllegalArgumentException expected) {
            return;
        }
        if (!Partitions.parse(s.spec()).equals(s)) {
            throw new AssertionError(spec + " does not round-trip: " + s.spec());
        }
        int[][] parts;
        try {
            parts = s.split(LABELS, 10, 7, 1);
        } catch (IllegalArgumentException expected) {
            return;
        }
        int[] seen = new int[LABELS.length];
        for (int[] p : parts) {
            for (int i : p) {
                seen[i]++;
            }
        }
        for (int i = 0; i < seen.length; i++) {
            if (seen[i] != 1) {
                throw new AssertionError(spec + ": example " + i + " went to " + seen[i] + " clients");
            }
        }
    }
}
