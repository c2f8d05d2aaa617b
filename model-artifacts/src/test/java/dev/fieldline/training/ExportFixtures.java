package dev.fieldline.training;

import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Models and images for export tests, shared with {@code inference-native} through the test jar:
 * CNN variants covering every exported operator and option (VALID and SAME, stride 1 and 2, max and
 * average pooling, fused and standalone ReLU, implicit and explicit flatten) and synthetic images
 * they can learn in a few steps.
 */
public final class ExportFixtures {

    private ExportFixtures() {
    }

    /**
     * Images of four kinds (labels 0..3 of {@code classes}): a horizontal, vertical, diagonal or
     * anti-diagonal bar at a random place, on noise.
     */
    public static Dataset bars(int count, int side, int classes, long seed) {
        Random r = new Random(seed);
        float[] x = new float[count * side * side];
        int[] y = new int[count];
        for (int n = 0; n < count; n++) {
            int label = r.nextInt(4);
            y[n] = label;
            int o = n * side * side;
            for (int i = 0; i < side * side; i++) {
                x[o + i] = r.nextFloat() * 0.3f;
            }
            int at = 2 + r.nextInt(side - 4);
            for (int t = 0; t < side; t++) {
                int row = switch (label) {
                    case 0 -> at;
                    case 1 -> t;
                    case 2 -> t;
                    default -> side - 1 - t;
                };
                int col = switch (label) {
                    case 0 -> t;
                    case 1 -> at;
                    default -> t;
                };
                x[o + row * side + col] = 0.7f + r.nextFloat() * 0.3f;
            }
        }
        return Dataset.classification(x, side * side, y, classes);
    }

    /** The FL "cnn" (LeNet of Flower's niid_bench), built here because model-artifacts cannot see federated. */
    public static Sequential lenet(long seed) {
        return Sequential.builder(seed, 28, 28, 1)
                .conv2d(6, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                .conv2d(16, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                .dense(120).relu().dense(84).relu().dense(10).build();
    }

    public static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("lenet 28x28 VALID (FL cnn)", 28, (Supplier<Sequential>) () -> lenet(3)),
                Arguments.of("SAME padding, SAME max pool", 12, (Supplier<Sequential>) () -> Sequential.builder(4, 12, 12, 1)
                        .conv2d(4, 3, 1, Padding.SAME).relu().maxPool(3, 2, Padding.SAME)
                        .conv2d(8, 3, 1, Padding.SAME).relu().dense(4).build()),
                Arguments.of("stride 2 convolutions", 12, (Supplier<Sequential>) () -> Sequential.builder(5, 12, 12, 1)
                        .conv2d(6, 3, 2, Padding.SAME).relu().conv2d(8, 3, 2, Padding.VALID).relu()
                        .dense(16).relu().dense(4).build()),
                Arguments.of("average pooling, ReLU after pool, explicit flatten", 12,
                        (Supplier<Sequential>) () -> Sequential.builder(6, 12, 12, 1)
                                .conv2d(6, 5, 1, Padding.VALID).averagePool(2, 2, Padding.VALID).relu()
                                .conv2d(8, 3, 1, Padding.SAME).relu().averagePool(3, 2, Padding.SAME)
                                .flatten().dense(4).build()));
    }

    /** Two epochs of Adam (0.01, batch 32, shuffling seed 1): enough for the bars. */
    public static Sequential trainBriefly(Sequential m, Dataset data) {
        Trainer.fit(m, data, new SoftmaxCrossEntropy(), new Adam(0.01f), new Trainer.Config(2, 32, 1));
        return m;
    }
}
