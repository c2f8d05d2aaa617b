package dev.fieldline.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrainingTest {

    /** Analytic gradients of dense/relu/dense + loss against central finite differences of the loss. */
    @Test
    void gradientsMatchFiniteDifferences() {
        for (Loss loss : List.of(new SoftmaxCrossEntropy(), new MeanSquaredError())) {
            Sequential model = Sequential.builder(3, 5).dense(7).relu().dense(3).build();
            Random r = new Random(11);
            int batch = 4;
            float[] x = new float[batch * 5];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] t = new float[batch * 3];
            for (int n = 0; n < batch; n++) {
                if (loss instanceof SoftmaxCrossEntropy) {
                    t[n * 3 + r.nextInt(3)] = 1f;
                } else {
                    for (int k = 0; k < 3; k++) {
                        t[n * 3 + k] = (float) r.nextGaussian();
                    }
                }
            }
            float[] grad = new float[batch * 3];
            model.zeroGrad();
            loss.lossAndGradient(model.forward(x, batch), t, batch, 3, grad);
            model.backward(grad, batch);

            int checked = 0;
            for (Parameter p : model.parameters()) {
                float[] analytic = p.grad().clone();
                for (int i = 0; i < p.size(); i++) {
                    float saved = p.value()[i];
                    float h = 1e-2f;
                    p.value()[i] = saved + h;
                    double up = loss.lossAndGradient(model.forward(x, batch), t, batch, 3, new float[batch * 3]);
                    p.value()[i] = saved - h;
                    double down = loss.lossAndGradient(model.forward(x, batch), t, batch, 3, new float[batch * 3]);
                    p.value()[i] = saved;
                    double numeric = (up - down) / (2 * h);
                    assertThat((double) analytic[i])
                            .as("%s %s[%d]", loss.getClass().getSimpleName(), p, i)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 + 2e-2 * Math.abs(numeric)));
                    checked++;
                }
            }
            assertThat(checked).isEqualTo(5 * 7 + 7 + 7 * 3 + 3);
        }
    }

    /** Gradient with respect to the inputs too (what a layer below would receive). */
    @Test
    void inputGradientMatchesFiniteDifferences() {
        Dense dense = new Dense(4, 3, new Random(5));
        Relu relu = new Relu(3);
        float[] x = {0.3f, -1.2f, 0.8f, 2.0f};
        float[] w = {0.5f, -1f, 2f};
        // scalar objective f(x) = w · relu(dense(x))
        float[] y = relu.forward(dense.forward(x, 1), 1);
        float[] gx = dense.backward(relu.backward(w, 1), 1).clone();
        for (int i = 0; i < 4; i++) {
            float[] xp = x.clone();
            float[] xm = x.clone();
            xp[i] += 1e-2f;
            xm[i] -= 1e-2f;
            double fp = dot(w, relu.forward(dense.forward(xp, 1), 1));
            double fm = dot(w, relu.forward(dense.forward(xm, 1), 1));
            assertThat((double) gx[i]).isCloseTo((fp - fm) / 2e-2, org.assertj.core.data.Offset.offset(1e-3));
        }
        assertThat(y).hasSize(3);
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    @Test
    void learnsANonLinearClassificationWithAdam() {
        Dataset data = rings(600, 1);
        Dataset test = rings(300, 2);
        Sequential model = Sequential.builder(7, 2).dense(16).relu().dense(16).relu().dense(2).build();
        double before = Trainer.accuracy(model, test);
        Trainer.History h = Trainer.fit(model, data, new SoftmaxCrossEntropy(), new Adam(0.01f),
                new Trainer.Config(60, 32, 3));
        assertThat(h.lastLoss()).isLessThan(h.epochLoss().get(0));
        assertThat(Trainer.accuracy(model, test)).as("accuracy before %s", before).isGreaterThan(0.95);
    }

    @Test
    void sgdWithMomentumFitsARegression() {
        Random r = new Random(4);
        int n = 400;
        float[] x = new float[n * 3];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                x[i * 3 + k] = (float) r.nextGaussian();
            }
            y[i] = 2f * x[i * 3] - x[i * 3 + 1] + 0.5f * x[i * 3 + 2] + 1f;
        }
        Sequential model = Sequential.builder(1, 3).dense(1).build();
        Trainer.History h = Trainer.fit(model, new Dataset(x, 3, y, 1), new MeanSquaredError(), new Sgd(0.05f, 0.9f),
                new Trainer.Config(30, 16, 1));
        assertThat(h.lastLoss()).isLessThan(1e-4f);
        Dense d = (Dense) model.layers().get(0);
        assertThat(d.weights().value()[0]).isCloseTo(2f, org.assertj.core.data.Offset.offset(0.01f));
        assertThat(d.bias().value()[0]).isCloseTo(1f, org.assertj.core.data.Offset.offset(0.01f));
    }

    @Test
    void sameSeedGivesTheSameWeightsBitForBit() {
        float[][] a = trainTwice(5);
        float[][] b = trainTwice(5);
        for (int i = 0; i < a.length; i++) {
            assertThat(Arrays.equals(a[i], b[i])).isTrue();
        }
        float[][] c = trainTwice(6);
        assertThat(Arrays.equals(a[0], c[0])).isFalse();
    }

    private static float[][] trainTwice(long seed) {
        Sequential m = Sequential.builder(seed, 2).dense(8).relu().dense(2).build();
        Trainer.fit(m, rings(200, 9), new SoftmaxCrossEntropy(), new Adam(0.01f), new Trainer.Config(3, 16, seed));
        return m.parameters().stream().map(p -> p.value().clone()).toArray(float[][]::new);
    }

    @Test
    void refusesMismatchedShapes() {
        Random r = new Random(1);
        assertThatThrownBy(() -> new Sequential(List.of(new Dense(4, 3, r), new Dense(5, 2, r))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("takes [5]");
        Sequential m = Sequential.builder(1, 4).dense(2).build();
        assertThatThrownBy(() -> Trainer.fit(m, Dataset.classification(new float[6], 3, new int[] {0, 1}, 2),
                new SoftmaxCrossEntropy(), new Adam(0.1f), new Trainer.Config(1, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 inputs");
        assertThatThrownBy(() -> Dataset.classification(new float[2], 1, new int[] {0, 2}, 2))
                .hasMessageContaining("not in 0..1");
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        float[] out = new float[3];
        SoftmaxCrossEntropy.softmax(new float[] {1000f, 1001f, 999f}, 0, 3, out, 0);
        assertThat(out[0] + out[1] + out[2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(out[1]).isGreaterThan(out[0]).isGreaterThan(out[2]);
    }

    /** Two classes: inside or outside a circle of radius 1 (not linearly separable). */
    static Dataset rings(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 2];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            float a = r.nextFloat() * 4 - 2;
            float b = r.nextFloat() * 4 - 2;
            x[2 * i] = a;
            x[2 * i + 1] = b;
            labels[i] = a * a + b * b < 1.3f ? 1 : 0;
        }
        return Dataset.classification(x, 2, labels, 2);
    }
}
