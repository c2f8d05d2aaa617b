package dev.fieldline.federated;

import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Prints the strategy × attack table of docs/federated.md; runs only with -Dfieldline.byzantine.table=true. */
class ByzantineExperiment {

    @Test
    void table() {
        Assumptions.assumeTrue(Boolean.getBoolean("fieldline.byzantine.table"), "table only on request");
        String data = System.getProperty("fieldline.byzantine.data", "blobs");
        int rounds = Integer.getInteger("fieldline.byzantine.rounds", 15);
        int hidden = Integer.getInteger("fieldline.byzantine.hidden", 0);
        ByzantineHarness.Problem p;
        try {
            p = data.equals("blobs") ? ByzantineHarness.blobs(10, 200, hidden, 7)
                    : ByzantineHarness.fashion(dev.fieldline.training.data.FashionMnist.load(
                            dev.fieldline.training.data.FashionMnist.DEBIAN_DIR), 10, 300, 2000, hidden, 7);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> strategies = List.of(System.getProperty("fieldline.byzantine.strategies",
                "fedavg;fedmedian;fedtrimmedavg:beta=0.3;krum:f=3;multikrum:f=3").split(";"));
        List<String> attacks = List.of(System.getProperty("fieldline.byzantine.attacks",
                "none,0.3:sign_flip,0.3:sign_flip:4,0.3:scale:10,0.3:scale:100,0.3:random:1,0.3:zero").split(","));
        for (String s : strategies) {
            StringBuilder line = new StringBuilder("| " + s);
            for (String a : attacks) {
                long t0 = System.nanoTime();
                ByzantineHarness.Result r = ByzantineHarness.run(p, Strategies.create(s),
                        a.equals("none") ? null : Byzantine.parse(a), rounds, 1e12, 7);
                line.append(String.format(" | %.3f / %.3f (%.1fs)", r.last(), r.meanOfLast(5), (System.nanoTime() - t0) / 1e9));
            }
            System.out.println(line + " |");
        }
    }
}
