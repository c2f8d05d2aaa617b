package dev.fieldline.federated.sim;

import dev.fieldline.federated.FlModels;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.Sgd;
import dev.fieldline.training.SoftmaxCrossEntropy;
import dev.fieldline.training.Trainer;
import dev.fieldline.training.data.FashionMnist;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline a federated run is compared with: the same model ({@link FlModels}) trained on the whole training
 * split in one place, with the same optimiser (SGD with momentum, softmax cross-entropy), evaluated on the test
 * split after each epoch. Single-threaded and deterministic under the seed.
 */
public final class CentralizedTraining {

    /**
     * @param model a {@link FlModels} name
     * @param epochs passes over the training split
     * @param batchSize examples per SGD step
     * @param seed seed of the initial weights and the shuffling (mixed with the epoch)
     */
    public record Config(String model, int epochs, int batchSize, float learningRate, float momentum, long seed) {
        public Config {
            if (!FlModels.NAMES.contains(model)) {
                throw new IllegalArgumentException("unknown model '" + model + "'; known: " + FlModels.NAMES);
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, was " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
            }
        }
    }

    /** One epoch: the test figures after it, the mean training loss during it, and its wall-clock time. */
    public record EpochReport(int epoch, double accuracy, double loss, double trainLoss, double seconds) {
    }

    /** Every epoch's report, and the wall-clock time of all epochs. */
    public record Result(List<EpochReport> epochs, double seconds) {
        public Result {
            epochs = List.copyOf(epochs);
        }

        public double finalAccuracy() {
            return epochs.get(epochs.size() - 1).accuracy();
        }
    }

    private CentralizedTraining() {
    }

    public static Result run(Config config, FashionMnist.Split train, FashionMnist.Split test,
            java.util.function.Consumer<EpochReport> listener) {
        Sequential model = FlModels.create(config.model(), config.seed());
        Dataset trainSet = train.dataset();
        Dataset testSet = test.dataset();
        Sgd sgd = new Sgd(config.learningRate(), config.momentum());
        List<EpochReport> reports = new ArrayList<>();
        long start = System.nanoTime();
        for (int e = 1; e <= config.epochs(); e++) {
            long t0 = System.nanoTime();
            // one epoch per call; the same optimiser carries its momentum from epoch to epoch
            Trainer.History h = Trainer.fit(model, trainSet, new SoftmaxCrossEntropy(), sgd,
                    new Trainer.Config(1, config.batchSize(), config.seed() * 1_000_003L + e));
            Evaluation eval = Evaluation.of(model, testSet);
            EpochReport r = new EpochReport(e, eval.accuracy(), eval.loss(), h.lastLoss(), (System.nanoTime() - t0) / 1e9);
            reports.add(r);
            listener.accept(r);
        }
        return new Result(reports, (System.nanoTime() - start) / 1e9);
    }
}
