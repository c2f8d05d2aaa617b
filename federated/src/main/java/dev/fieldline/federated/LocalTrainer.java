package dev.fieldline.federated;

import dev.fieldline.training.Dataset;
import dev.fieldline.training.Parameter;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.Sgd;
import dev.fieldline.training.SoftmaxCrossEntropy;
import dev.fieldline.training.Trainer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A client's part of a round: load the global weights, train on the local data as the plan says
 * (SGD with momentum, softmax cross-entropy; with FedProx's proximal term {@code μ/2·‖w − w_global‖²}
 * when μ &gt; 0), and return the delta with the example count and the local metrics. Deterministic for the
 * same global weights, data, plan and client id.
 */
public final class LocalTrainer {
    private final Sequential model;
    private final WeightLayout layout;

    /** Trains {@code model} in place (its weights are overwritten by each round's global weights). */
    public LocalTrainer(Sequential model) {
        this.model = model;
        this.layout = WeightLayout.of(model);
    }

    public WeightLayout layout() {
        return layout;
    }

    public Sequential model() {
        return model;
    }

    public ClientUpdate train(String clientId, float[] global, Dataset local, TrainingPlan plan) {
        if (local.count() == 0) {
            throw new IllegalArgumentException("client " + clientId + " has no local examples");
        }
        layout.write(model, global);
        Trainer.GradientHook hook = Trainer.GradientHook.NONE;
        if (plan.proximalMu() > 0) {
            hook = proximal((float) plan.proximalMu(), global);
        }
        long seed = plan.seed() * 1_000_003L + clientId.hashCode();
        Trainer.History history = Trainer.fit(model, local, new SoftmaxCrossEntropy(),
                new Sgd(plan.learningRate(), plan.momentum()),
                new Trainer.Config(plan.localEpochs(), plan.batchSize(), seed), hook);
        float[] trained = layout.read(model);
        float[] delta = new float[trained.length];
        for (int i = 0; i < delta.length; i++) {
            delta[i] = trained[i] - global[i];
        }
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", (double) history.lastLoss());
        metrics.put("accuracy", Trainer.accuracy(model, local));
        return new ClientUpdate(clientId, delta, local.count(), metrics);
    }

    /** Adds μ·(w − w_global) to each gradient. */
    private Trainer.GradientHook proximal(float mu, float[] global) {
        return (List<Parameter> params) -> {
            int at = 0;
            for (Parameter p : params) {
                float[] w = p.value();
                float[] g = p.grad();
                for (int i = 0; i < w.length; i++) {
                    g[i] += mu * (w[i] - global[at + i]);
                }
                at += w.length;
            }
        };
    }
}
