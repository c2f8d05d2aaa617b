package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.federated.secagg.SecureAggregation.Dropouts;
import dev.fieldline.federated.secagg.SecureAggregation.RoundCost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The cost of secure aggregation per round, for docs/federated.md. Not a test of speed (nothing is
 * timed against a limit) and off by default; it takes several minutes:
 * {@code mvn -o -B -pl federated test -Dtest=SecAggCostTest -Dsecagg.cost=true}. The table goes to
 * {@code federated/target/surefire-reports/dev.fieldline.federated.secagg.SecAggCostTest-output.txt}.
 */
@EnabledIfSystemProperty(named = "secagg.cost", matches = "true")
class SecAggCostTest {
    private static final int CNN = 44_426;
    private static final int MLP = 199_210;

    private static Set<Integer> range(int from, int to) {
        Set<Integer> s = new HashSet<>();
        for (int i = from; i <= to; i++) {
            s.add(i);
        }
        return s;
    }

    private static void measure(String model, int n, int d, Dropouts dropouts) {
        SecAggParams params = SecAggConfig.DEFAULT.params(n * 1000L + d, n, d);
        Random r = new Random(n + d);
        long mask = params.quantisation().mask();
        List<long[]> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] x = new long[params.length()];
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextLong() & mask;
            }
            inputs.add(x);
        }
        long t0 = System.nanoTime();
        SecureAggregation.Sum s = SecureAggregation.sum(params, inputs, dropouts, Seeded.random(n + d));
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] expected = new long[params.length()];
        for (int u : s.contributors()) {
            for (int j = 0; j < expected.length; j++) {
                expected[j] = (expected[j] + inputs.get(u - 1)[j]) & mask;
            }
        }
        assertThat(s.sum()).isEqualTo(expected);
        double clientMs = 0;
        long up = 0;
        long down = 0;
        System.out.printf("%n%s d=%,d n=%d t=%d bits=%d, dropped before sharing/masking/unmasking: %d/%d/%d, "
                + "wall %.1f s%n", model, d, n, params.threshold(), params.bits(), dropouts.beforeSharing().size(),
                dropouts.beforeMasking().size(), dropouts.afterMasking().size(), wall);
        System.out.println("| round | clients | client ms (mean / max) | server ms | bytes up per client | bytes down per client |");
        for (RoundCost c : s.costs()) {
            System.out.printf("| %s | %d | %.1f / %.1f | %.1f | %,d | %,d |%n", c.round(), c.clients(),
                    c.clientMillisMean(), c.clientMillisMax(), c.serverMillis(), c.bytesUpPerClient(),
                    c.bytesDownPerClient());
            clientMs += c.clientMillisMean();
            up += c.bytesUpPerClient();
            down += c.bytesDownPerClient();
        }
        double serverMs = s.costs().stream().mapToDouble(RoundCost::serverMillis).sum();
        System.out.printf("| total | | %.1f | %.1f | %,d (plain float update: %,d) | %,d |%n", clientMs, serverMs, up,
                4L * d + 8, down);
    }

    @Test
    void costPerRound() {
        measure("warm-up", 5, 1000, Dropouts.NONE);
        System.out.println("\nmachine: " + Runtime.getRuntime().availableProcessors() + " cpus, Java "
                + System.getProperty("java.version") + ", load average "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        for (int d : new int[] {CNN, MLP}) {
            String model = d == CNN ? "cnn" : "mlp";
            measure(model, 10, d, Dropouts.NONE);
            measure(model, 10, d, new Dropouts(Set.of(), Set.of(3), Set.of(7)));
            measure(model, 100, d, Dropouts.NONE);
        }
        measure("cnn", 100, CNN, new Dropouts(Set.of(), range(1, 10), range(11, 15)));
        System.out.println("\nload average at the end "
                + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
