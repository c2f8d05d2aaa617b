package dev.fieldline.tools.bench;

import dev.fieldline.federated.secagg.SecAggConfig;
import dev.fieldline.federated.secagg.SecAggParams;
import dev.fieldline.federated.secagg.SecureAggregation;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The cost of one round of secure aggregation (Bonawitz et al.; docs/federated.md "Secure aggregation"):
 * every client and the server run in turn on this thread, each message through the wire codec; per
 * protocol round the clients' and the server's compute time and the bytes each client sends and receives.
 * The sum is checked against the plain modular sum of the same inputs.
 */
@Command(name = "secagg", mixinStandardHelpOptions = true,
        description = "Cost per round of secure aggregation: client and server milliseconds and bytes per client, "
                + "for N clients and D values (44,426 = the FL cnn, 199,210 = the mlp), with optional drop-outs.")
public final class SecAggBench implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--clients", description = "Clients in the round (default: ${DEFAULT-VALUE}).")
    int clients = 10;

    @Option(names = "--values", description = "Values per update: model weights (default: ${DEFAULT-VALUE}, the cnn).")
    int values = 44_426;

    @Option(names = "--drop-before-masking", description = "Clients that drop after sharing keys, before sending "
            + "their masked input (default: ${DEFAULT-VALUE}).")
    int dropBeforeMasking;

    @Option(names = "--drop-after-masking", description = "Clients that drop after sending their masked input, "
            + "before unmasking (default: ${DEFAULT-VALUE}).")
    int dropAfterMasking;

    @Option(names = "--warmup", description = "Rounds of 5 clients × 1,000 values run first for the JIT (default: ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--seed", description = "Seed of the inputs and the protocol's randomness (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override
    public Integer call() {
        if (clients < 2 || values < 1 || dropBeforeMasking < 0 || dropAfterMasking < 0 || warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--clients must be >= 2, --values >= 1, drop-outs and "
                    + "--warmup >= 0");
        }
        if (dropBeforeMasking + dropAfterMasking >= clients) {
            throw new ParameterException(spec.commandLine(), "drop-outs (" + (dropBeforeMasking + dropAfterMasking)
                    + ") must leave at least one of the " + clients + " clients");
        }
        for (int i = 0; i < warmup; i++) {
            round(5, 1000, SecureAggregation.Dropouts.NONE, false);
        }
        System.out.printf("machine: %d cpus, Java %s, load average %.2f%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        Set<Integer> before = range(1, dropBeforeMasking);
        Set<Integer> after = range(dropBeforeMasking + 1, dropBeforeMasking + dropAfterMasking);
        round(clients, values, new SecureAggregation.Dropouts(Set.of(), before, after), true);
        return 0;
    }

    private static Set<Integer> range(int from, int to) {
        Set<Integer> s = new HashSet<>();
        for (int i = from; i <= to; i++) {
            s.add(i);
        }
        return s;
    }

    private void round(int n, int d, SecureAggregation.Dropouts dropouts, boolean print) {
        SecAggParams params = SecAggConfig.DEFAULT.params(seed, n, d);
        SecureRandom random = seeded(seed);
        long mask = params.quantisation().mask();
        List<long[]> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] x = new long[params.length()];
            for (int j = 0; j < x.length; j++) {
                x[j] = random.nextLong() & mask;
            }
            inputs.add(x);
        }
        long t0 = System.nanoTime();
        SecureAggregation.Sum s = SecureAggregation.sum(params, inputs, dropouts, random);
        double wall = (System.nanoTime() - t0) / 1e9;
        long[] expected = new long[params.length()];
        for (int u : s.contributors()) {
            for (int j = 0; j < expected.length; j++) {
                expected[j] = (expected[j] + inputs.get(u - 1)[j]) & mask;
            }
        }
        if (!Arrays.equals(s.sum(), expected)) {
            throw new IllegalStateException("secure sum differs from the plain modular sum");
        }
        if (!print) {
            return;
        }
        System.out.printf("%,d values, %d clients, threshold %d, %d bits; dropped before masking %d, after masking %d; "
                + "%d contributors; wall %.2f s%n", d, n, params.threshold(), params.bits(), dropouts.beforeMasking().size(),
                dropouts.afterMasking().size(), s.contributors().size(), wall);
        System.out.println("| round | clients | client ms (mean / max) | server ms | bytes up per client | bytes down per client |");
        double clientMs = 0;
        double serverMs = 0;
        long up = 0;
        long down = 0;
        for (SecureAggregation.RoundCost c : s.costs()) {
            System.out.printf("| %s | %d | %.1f / %.1f | %.1f | %,d | %,d |%n", c.round(), c.clients(), c.clientMillisMean(),
                    c.clientMillisMax(), c.serverMillis(), c.bytesUpPerClient(), c.bytesDownPerClient());
            clientMs += c.clientMillisMean();
            serverMs += c.serverMillis();
            up += c.bytesUpPerClient();
            down += c.bytesDownPerClient();
        }
        System.out.printf("| total | | %.1f | %.1f | %,d (a plain float update: %,d) | %,d |%n", clientMs, serverMs, up,
                4L * d + 8, down);
    }

    /** Repeatable under the seed (a benchmark, not a deployment: real clients use a fresh SecureRandom). */
    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
