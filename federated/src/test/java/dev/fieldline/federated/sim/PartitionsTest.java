package dev.fieldline.federated.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    /** {@code perClass} examples of each of 10 classes, in a scrambled order. */
    private static int[] labels(int perClass) {
        int[] l = new int[10 * perClass];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % 10;
        }
        Random r = new Random(42);
        for (int i = l.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = l[i];
            l[i] = l[j];
            l[j] = t;
        }
        return l;
    }

    /** Every index appears exactly once over all parts, and each part is ascending. */
    private static void assertCovers(int[][] parts, int n) {
        int[] seen = new int[n];
        for (int[] p : parts) {
            assertThat(p).isSorted();
            for (int i : p) {
                seen[i]++;
            }
        }
        assertThat(seen).containsOnly(1);
    }

    private static int classesOf(int[] part, int[] labels) {
        return (int) Arrays.stream(part).map(i -> labels[i]).distinct().count();
    }

    @Test
    void iidSplitsEvenlyIntoDisjointPartsDecidedByTheSeed() {
        int[] labels = labels(101);
        int[][] parts = new Partitions.Iid().split(labels, 10, 7, 3);
        assertCovers(parts, labels.length);
        assertThat(Arrays.stream(parts).mapToInt(p -> p.length)).allSatisfy(s -> assertThat(s).isBetween(144, 145));
        assertThat(new Partitions.Iid().split(labels, 10, 7, 3)).isDeepEqualTo(parts);
        assertThat(new Partitions.Iid().split(labels, 10, 7, 4)[0]).isNotEqualTo(parts[0]);
        // every client sees every class
        assertThat(Arrays.stream(parts).mapToInt(p -> classesOf(p, labels))).containsOnly(10);
    }

    @Test
    void shardsGiveEachClientKShardsOfLabelSortedExamples() {
        int[] labels = labels(60);
        // 20 shards of 30: each class is exactly two shards, so a client holds at most 2 classes
        int[][] parts = new Partitions.Shards(2).split(labels, 10, 10, 1);
        assertCovers(parts, labels.length);
        assertThat(Arrays.stream(parts).mapToInt(p -> p.length)).containsOnly(60);
        assertThat(Arrays.stream(parts).mapToInt(p -> classesOf(p, labels))).allSatisfy(c -> assertThat(c).isBetween(1, 2));
        assertThat(Arrays.stream(parts).mapToInt(p -> classesOf(p, labels)).filter(c -> c == 2).count()).isGreaterThan(3);
        assertThat(Arrays.stream(new Partitions.Shards(1).split(labels, 10, 10, 1)).mapToInt(p -> classesOf(p, labels))).containsOnly(1);
        assertThat(new Partitions.Shards(2).split(labels, 10, 10, 1)).isDeepEqualTo(parts);
        assertThatThrownBy(() -> new Partitions.Shards(4).split(labels, 10, 200, 1))
                .hasMessage("200 clients × 4 shards need at least 800 examples, there are 600");
    }

    @Test
    void dirichletSkewsLabelsMoreForSmallerAlphaAndGivesEveryClientTheMinimum() {
        int[] labels = labels(600);
        int[][] skewed = new Partitions.Dirichlet(0.1).split(labels, 10, 20, 5);
        int[][] mild = new Partitions.Dirichlet(100).split(labels, 10, 20, 5);
        assertCovers(skewed, labels.length);
        assertCovers(mild, labels.length);
        for (int[][] parts : new int[][][] {skewed, mild}) {
            assertThat(Arrays.stream(parts).mapToInt(p -> p.length))
                    .allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(Partitions.DIRICHLET_MIN_EXAMPLES));
        }
        assertThat(meanTopClassShare(skewed, labels)).isGreaterThan(0.5);
        assertThat(meanTopClassShare(mild, labels)).isLessThan(0.2);
        assertThat(new Partitions.Dirichlet(0.1).split(labels, 10, 20, 5)).isDeepEqualTo(skewed);
        assertThat(new Partitions.Dirichlet(0.1).split(labels, 10, 20, 6)).isNotEqualTo(skewed);
    }

    @Test
    void dirichletRefusesWhenTheMinimumCannotBeMet() {
        assertThatThrownBy(() -> new Partitions.Dirichlet(0.5).split(labels(50), 10, 100, 1))
                .hasMessage("100 clients need at least 1000 examples, there are 500");
        // 2 examples per client on average: a draw that leaves none below 10 does not exist
        assertThatThrownBy(() -> new Partitions.Dirichlet(0.01).split(labels(11), 10, 11, 1))
                .hasMessageStartingWith("dirichlet:0.01 left a client with fewer than 10 examples in each of 1000 draws");
    }

    private static double meanTopClassShare(int[][] parts, int[] labels) {
        double sum = 0;
        for (int[] p : parts) {
            int[] c = new int[10];
            for (int i : p) {
                c[labels[i]]++;
            }
            sum += Arrays.stream(c).max().orElseThrow() / (double) p.length;
        }
        return sum / parts.length;
    }

    @Test
    void gammaDrawsHaveTheirShapeAsMean() {
        Random r = new Random(1);
        for (double shape : new double[] {0.1, 0.5, 1, 3}) {
            double sum = 0;
            int n = 40_000;
            for (int i = 0; i < n; i++) {
                double g = Partitions.gamma(shape, r);
                assertThat(g).isGreaterThanOrEqualTo(0);
                sum += g;
            }
            assertThat(sum / n).as("shape %s", shape).isCloseTo(shape, org.assertj.core.data.Offset.offset(0.05 * Math.max(1, shape)));
        }
        double[] p = Partitions.dirichlet(0.5, 8, r);
        assertThat(Arrays.stream(p).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void parsesSpecsAndNamesWhatIsWrong() {
        assertThat(Partitions.parse("iid")).isEqualTo(new Partitions.Iid());
        assertThat(Partitions.parse(" Shards:2 ")).isEqualTo(new Partitions.Shards(2));
        assertThat(Partitions.parse("dirichlet:0.5")).isEqualTo(new Partitions.Dirichlet(0.5));
        assertThat(Partitions.parse("dirichlet:0.5").spec()).isEqualTo("dirichlet:0.5");
        assertThat(Partitions.parse(Partitions.parse("shards:3").spec())).isEqualTo(new Partitions.Shards(3));
        assertThatThrownBy(() -> Partitions.parse("noniid")).hasMessage(
                "unknown partition 'noniid'; expected iid, shards:K or dirichlet:A");
        assertThatThrownBy(() -> Partitions.parse("")).hasMessage(
                "partition must not be empty; expected iid, shards:K or dirichlet:A");
        assertThatThrownBy(() -> Partitions.parse("iid:3")).hasMessage("partition 'iid:3': iid takes no parameter");
        assertThatThrownBy(() -> Partitions.parse("shards")).hasMessage("partition 'shards' needs K after the colon");
        assertThatThrownBy(() -> Partitions.parse("shards:")).hasMessage("partition 'shards:' needs K after the colon");
        assertThatThrownBy(() -> Partitions.parse("shards:0")).hasMessage(
                "partition 'shards:0': K in shards:K must be a whole number >= 1, was '0'");
        assertThatThrownBy(() -> Partitions.parse("shards:1.5")).hasMessage(
                "partition 'shards:1.5': K in shards:K must be a whole number >= 1, was '1.5'");
        assertThatThrownBy(() -> Partitions.parse("dirichlet:-1")).hasMessage(
                "partition 'dirichlet:-1': A in dirichlet:A must be a positive number, was '-1'");
        assertThatThrownBy(() -> Partitions.parse("dirichlet:NaN")).hasMessage(
                "partition 'dirichlet:NaN': A in dirichlet:A must be a positive number, was 'NaN'");
        assertThatThrownBy(() -> Partitions.parse("dirichlet")).hasMessage("partition 'dirichlet' needs A after the colon");
    }
}
