package dev.fieldline.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Conv2D, pooling and Flatten: shapes as TensorFlow defines them, values, and gradients against finite differences. */
class LayersTest {

    @Test
    void outputSizesFollowTensorFlowPadding() {
        assertThat(Padding.SAME.outSize(5, 3, 2)).isEqualTo(3);
        assertThat(Padding.SAME.before(5, 3, 2)).isEqualTo(1);
        assertThat(Padding.SAME.outSize(6, 2, 2)).isEqualTo(3);
        assertThat(Padding.SAME.before(6, 2, 2)).isZero();
        assertThat(Padding.SAME.before(4, 4, 1)).isEqualTo(1); // total 3: 1 before, 2 after
        assertThat(Padding.VALID.outSize(5, 3, 2)).isEqualTo(2);
        assertThat(Padding.VALID.outSize(28, 5, 1)).isEqualTo(24);
        assertThatThrownBy(() -> Padding.VALID.outSize(2, 3, 1)).hasMessageContaining("does not fit an input of 2");
        assertThatThrownBy(() -> Padding.SAME.outSize(4, 3, 0)).hasMessageContaining("stride 0");
        assertThatThrownBy(() -> new Conv2D(new int[] {4, 4}, 2, 3, 3, 1, Padding.SAME, new Random(1)))
                .hasMessageContaining("[height, width, channels]");
    }

    @Test
    void convolutionComputesTheNhwcSumWithZeroPadding() {
        // 3x3 single-channel image, one 2x2 filter of ones, bias 0.5, SAME stride 1: pad 0 before, 1 after
        Conv2D conv = new Conv2D(new int[] {3, 3, 1}, 1, 2, 2, 1, Padding.SAME, new Random(1));
        Arrays.fill(conv.weights().value(), 1f);
        conv.bias().value()[0] = 0.5f;
        float[] y = conv.forward(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1);
        assertThat(Arrays.copyOf(y, 9)).containsExactly(12.5f, 16.5f, 9.5f, 24.5f, 28.5f, 15.5f, 15.5f, 17.5f, 9.5f);
        assertThat(conv.outputShape()).containsExactly(3, 3, 1);
    }

    @Test
    void poolingIgnoresPaddedPositions() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        Pool2D max = Pool2D.max(new int[] {3, 3, 1}, 2, 2, Padding.SAME);
        assertThat(Arrays.copyOf(max.forward(x, 1), 4)).containsExactly(5f, 6f, 8f, 9f);
        Pool2D avg = Pool2D.average(new int[] {3, 3, 1}, 2, 2, Padding.SAME);
        assertThat(Arrays.copyOf(avg.forward(x, 1), 4)).containsExactly(3f, 4.5f, 7.5f, 9f);
        Pool2D valid = Pool2D.average(new int[] {3, 3, 1}, 2, 1, Padding.VALID);
        assertThat(Arrays.copyOf(valid.forward(x, 1), 4)).containsExactly(3f, 4f, 6f, 7f);
    }

    @Test
    void everyLayerMatchesFiniteDifferences() {
        Random r = new Random(21);
        List<Layer> layers = List.of(
                new Conv2D(new int[] {5, 5, 2}, 3, 3, 3, 1, Padding.SAME, r),
                new Conv2D(new int[] {5, 4, 2}, 2, 3, 2, 2, Padding.SAME, r),
                new Conv2D(new int[] {6, 5, 3}, 2, 3, 3, 2, Padding.VALID, r),
                new Conv2D(new int[] {4, 4, 1}, 2, 4, 4, 1, Padding.SAME, r), // padding 1 before, 2 after
                Pool2D.max(new int[] {5, 5, 2}, 2, 2, Padding.SAME),
                Pool2D.max(new int[] {4, 4, 3}, 3, 1, Padding.VALID),
                Pool2D.max(new int[] {3, 3, 2}, 2, 1, Padding.SAME),
                Pool2D.average(new int[] {5, 5, 2}, 2, 2, Padding.SAME),
                Pool2D.average(new int[] {5, 4, 2}, 3, 2, Padding.VALID),
                new Flatten(3, 2, 2));
        for (Layer layer : layers) {
            checkGradients(layer, 3, r);
        }
    }

    /**
     * Objective {@code f = Σ c·layer(x)} with random {@code c}: its analytic gradients (from backward)
     * with respect to every input and every parameter against central differences. Inputs are distinct
     * values at least 0.05 apart so that a max window does not change its winner within ±h.
     */
    private static void checkGradients(Layer layer, int batch, Random r) {
        int in = Layer.size(layer.inputShape());
        int out = Layer.size(layer.outputShape());
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < batch * in; i++) {
            values.add((i - batch * in / 2f) * 0.05f);
        }
        Collections.shuffle(values, r);
        float[] x = new float[batch * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = values.get(i);
        }
        float[] c = new float[batch * out];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) r.nextGaussian();
        }
        for (Parameter p : layer.parameters()) {
            for (int i = 0; i < p.size(); i++) {
                p.value()[i] += (float) r.nextGaussian() * 0.1f;
            }
            p.zeroGrad();
        }
        layer.forward(x, batch);
        float[] gx = layer.backward(c, batch).clone();
        float h = 1e-2f;
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            x[i] = saved + h;
            double up = dot(c, layer.forward(x, batch));
            x[i] = saved - h;
            double down = dot(c, layer.forward(x, batch));
            x[i] = saved;
            double numeric = (up - down) / (2 * h);
            assertThat((double) gx[i]).as("%s d/dx[%d]", layer, i).isCloseTo(numeric, offset(2e-3 + 1e-2 * Math.abs(numeric)));
        }
        for (Parameter p : layer.parameters()) {
            float[] analytic = p.grad().clone();
            for (int i = 0; i < p.size(); i++) {
                float saved = p.value()[i];
                p.value()[i] = saved + h;
                double up = dot(c, layer.forward(x, batch));
                p.value()[i] = saved - h;
                double down = dot(c, layer.forward(x, batch));
                p.value()[i] = saved;
                double numeric = (up - down) / (2 * h);
                assertThat((double) analytic[i]).as("%s d/d%s[%d]", layer, p, i)
                        .isCloseTo(numeric, offset(2e-3 + 1e-2 * Math.abs(numeric)));
            }
            assertThat(analytic).as("%s %s gradient is not all zero", layer, p).isNotEqualTo(new float[p.size()]);
        }
        assertThat(gx).as("%s input gradient is not all zero", layer).isNotEqualTo(new float[gx.length]);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** A LeNet-style CNN learns to tell bars from crosses from blobs, and the same seed gives the same weights. */
    @Test
    void lenetStyleCnnTrainsDeterministically() {
        Dataset train = shapes(360, new Random(1));
        Dataset test = shapes(120, new Random(2));
        Sequential first = lenet(7);
        Sequential untrained = lenet(7);
        double before = Trainer.accuracy(untrained, test);
        Trainer.History h = Trainer.fit(first, train, new SoftmaxCrossEntropy(), new Sgd(0.02f, 0.9f),
                new Trainer.Config(6, 16, 3));
        double after = Trainer.accuracy(first, test);
        assertThat(h.lastLoss()).isLessThan(h.epochLoss().get(0) * 0.5f);
        assertThat(after).isGreaterThan(0.9).isGreaterThan(before + 0.3);

        Sequential second = lenet(7);
        Trainer.fit(second, train, new SoftmaxCrossEntropy(), new Sgd(0.02f, 0.9f), new Trainer.Config(6, 16, 3));
        for (int i = 0; i < first.parameters().size(); i++) {
            assertThat(second.parameters().get(i).value()).isEqualTo(first.parameters().get(i).value());
        }
        assertThat(first.layers()).hasSize(10);
    }

    static Sequential lenet(long seed) {
        return Sequential.builder(seed, 12, 12, 1)
                .conv2d(4, 3, 1, Padding.SAME).relu().maxPool(2, 2, Padding.VALID)
                .conv2d(8, 3, 1, Padding.VALID).relu().averagePool(2, 2, Padding.VALID)
                .dense(16).relu().dense(3).build();
    }

    /** 12×12 images: class 0 a horizontal bar, 1 a vertical bar, 2 a 3×3 blob, at random places, with noise. */
    static Dataset shapes(int count, Random r) {
        float[] x = new float[count * 144];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            int label = n % 3;
            labels[n] = label;
            int o = n * 144;
            for (int i = 0; i < 144; i++) {
                x[o + i] = (float) r.nextGaussian() * 0.2f;
            }
            int a = r.nextInt(8) + 2;
            int b = r.nextInt(6);
            for (int k = 0; k < 6; k++) {
                switch (label) {
                    case 0 -> x[o + a * 12 + b + k] += 1f;
                    case 1 -> x[o + (b + k) * 12 + a] += 1f;
                    default -> {
                        int yy = a - 1 + k / 3;
                        int xx = b + k % 3;
                        x[o + yy * 12 + xx] += 1f;
                        x[o + (yy + 1) * 12 + xx] += 1f;
                    }
                }
            }
        }
        return Dataset.classification(x, 144, labels, 3);
    }
}
