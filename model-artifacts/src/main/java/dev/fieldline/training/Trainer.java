package dev.fieldline.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mini-batch training: each epoch shuffles the examples with a seeded generator, then for each
 * batch runs forward, the loss, backward and one optimiser step. Single-threaded and in a fixed
 * order, so the same seed gives the same weights bit for bit.
 */
public final class Trainer {

    /**
     * How to train.
     *
     * @param epochs passes over the training set
     * @param batchSize examples per optimiser step (the last batch of an epoch may be smaller)
     * @param seed seed of the shuffling
     */
    public record Config(int epochs, int batchSize, long seed) {
        public Config {
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
            }
        }
    }

    /** Mean training loss per epoch. */
    public record History(List<Float> epochLoss) {
        public History {
            epochLoss = List.copyOf(epochLoss);
        }

        public float lastLoss() {
            return epochLoss.get(epochLoss.size() - 1);
        }
    }

    private Trainer() {
    }

    /**
     * Called after each backward pass, before the optimiser step, with the model's parameters and their
     * gradients; it may add to the gradients (FedProx's proximal term, a regulariser).
     */
    @FunctionalInterface
    public interface GradientHook {
        GradientHook NONE = parameters -> { };

        void beforeStep(List<Parameter> parameters);
    }

    public static History fit(Sequential model, Dataset data, Loss loss, Optimizer optimizer, Config config) {
        return fit(model, data, loss, optimizer, config, GradientHook.NONE);
    }

    public static History fit(Sequential model, Dataset data, Loss loss, Optimizer optimizer, Config config,
            GradientHook hook) {
        if (data.inputSize() != model.inputSize() || data.targetSize() != model.outputSize()) {
            throw new IllegalArgumentException("the data has " + data.inputSize() + " inputs and " + data.targetSize()
                    + " targets per example, the model " + model.inputSize() + " and " + model.outputSize());
        }
        int n = data.count();
        int in = data.inputSize();
        int out = data.targetSize();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(config.seed());
        float[] x = new float[config.batchSize() * in];
        float[] t = new float[config.batchSize() * out];
        float[] grad = new float[config.batchSize() * out];
        List<Parameter> params = model.parameters();
        List<Float> history = new ArrayList<>();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
            float sum = 0f;
            int batches = 0;
            for (int start = 0; start < n; start += config.batchSize()) {
                int b = Math.min(config.batchSize(), n - start);
                for (int k = 0; k < b; k++) {
                    System.arraycopy(data.inputs(), order[start + k] * in, x, k * in, in);
                    System.arraycopy(data.targets(), order[start + k] * out, t, k * out, out);
                }
                model.zeroGrad();
                float[] y = model.forward(x, b);
                sum += loss.lossAndGradient(y, t, b, out, grad);
                model.backward(grad, b);
                hook.beforeStep(params);
                optimizer.step(params);
                batches++;
            }
            history.add(sum / batches);
        }
        return new History(history);
    }

    /** Fraction of examples whose largest output is at their label. */
    public static double accuracy(Sequential model, Dataset data) {
        float[] y = model.predict(data.inputs(), data.count(), 256);
        int out = model.outputSize();
        int right = 0;
        for (int i = 0; i < data.count(); i++) {
            if (Dataset.argmax(y, i * out, out) == data.label(i)) {
                right++;
            }
        }
        return data.count() == 0 ? 0 : right / (double) data.count();
    }
}
