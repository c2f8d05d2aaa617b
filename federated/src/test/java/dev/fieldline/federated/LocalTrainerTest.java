package dev.fieldline.federated;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LocalTrainerTest {

    private static Dataset blobs(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int k = 0; k < 4; k++) {
                x[i * 4 + k] = (float) (r.nextGaussian() * 0.3 + (k == y[i] ? 2 : 0));
            }
        }
        return Dataset.classification(x, 4, y, 3);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) {
            s += f * f;
        }
        return Math.sqrt(s);
    }

    @Test
    void trainsDeterministicallyAndReportsExamplesAndMetrics() {
        Dataset data = blobs(1, 90);
        float[] global = WeightLayout.of(Sequential.builder(3, 4).dense(8).relu().dense(3).build())
                .read(Sequential.builder(3, 4).dense(8).relu().dense(3).build());
        TrainingPlan plan = new TrainingPlan(3, 10, 0.1f, 0.5f, 0, 11);
        ClientUpdate a = new LocalTrainer(Sequential.builder(5, 4).dense(8).relu().dense(3).build())
                .train("dev-1", global, data, plan);
        ClientUpdate b = new LocalTrainer(Sequential.builder(6, 4).dense(8).relu().dense(3).build())
                .train("dev-1", global, data, plan);
        assertThat(a.delta()).containsExactly(b.delta());
        assertThat(a.examples()).isEqualTo(90);
        assertThat(a.metrics().get("accuracy")).isGreaterThan(0.9);
        ClientUpdate other = new LocalTrainer(Sequential.builder(5, 4).dense(8).relu().dense(3).build())
                .train("dev-2", global, data, plan);
        assertThat(other.delta()).isNotEqualTo(a.delta());
    }

    @Test
    void proximalTermKeepsTheLocalModelNearTheGlobalOne() {
        Dataset data = blobs(2, 90);
        Sequential model = Sequential.builder(3, 4).dense(8).relu().dense(3).build();
        LocalTrainer trainer = new LocalTrainer(model);
        float[] global = trainer.layout().read(model);
        TrainingPlan plan = new TrainingPlan(5, 10, 0.1f, 0f, 0, 1);
        double free = norm(trainer.train("d", global, data, plan).delta());
        double prox = norm(trainer.train("d", global, data, plan.withProximalMu(1.0)).delta());
        assertThat(prox).isLessThan(free * 0.8);
    }
}
