package dev.fieldline.gateway.models;

import dev.fieldline.federated.FlModels;
import dev.fieldline.federated.WeightLayout;
import dev.fieldline.gateway.federated.FederatedConfig;
import dev.fieldline.gateway.federated.GlobalModelListener;
import dev.fieldline.training.Sequential;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every new global model of the federated round service as a model version named
 * {@code fl-{model}} ({@code fl-mlp}, {@code fl-cnn}): the weights written into the model
 * {@link FlModels} builds, exported, self-tested on inputs in the pixels' range [0, 1), signed and
 * stored by the {@link ModelRegistry}, with the round, the global version and the round's metrics as
 * its source. Publishing runs on a thread of its own ({@code fl-model-publisher}), never on the round
 * service's. With {@link FederatedConfig.Rollout#ALL} each version is offered to every device as soon as it
 * is signed; with {@link FederatedConfig.Rollout#MANUAL} offering stays an explicit step
 * ({@link ModelRegistry#rollout}, or {@code POST /api/v1/models/{name}/{version}/rollout}).
 */
public final class FederatedPublisher implements GlobalModelListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FederatedPublisher.class);

    private final ModelRegistry registry;
    private final FederatedConfig.Rollout rollout;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fl-model-publisher");
        t.setDaemon(true);
        return t;
    });
    private volatile Future<?> last;

    public FederatedPublisher(ModelRegistry registry, FederatedConfig.Rollout rollout) {
        this.registry = registry;
        this.rollout = rollout;
    }

    /** The registry's name of a federated model: {@code fl-mlp}, {@code fl-cnn}. */
    public static String modelName(String flModel) {
        return "fl-" + flModel;
    }

    @Override
    public void aggregated(String model, int version, int round, WeightLayout layout, float[] weights, Map<String, Double> metrics) {
        try {
            last = thread.submit(() -> publish(model, version, round, layout, weights, metrics));
        } catch (RejectedExecutionException closed) {
            log.debug("global model {} v{} after close not published", model, version);
        }
    }

    private void publish(String model, int version, int round, WeightLayout layout, float[] weights, Map<String, Double> metrics) {
        try {
            Sequential m = FlModels.create(model, 0);
            if (!WeightLayout.of(m).equals(layout)) {
                log.warn("global model {} v{}: its layout is not {}'s; not published", model, version, model);
                return;
            }
            layout.write(m, weights);
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("round", round);
            source.put("fl_version", version);
            metrics.forEach((k, v) -> {
                if (v != null && Double.isFinite(v)) {
                    source.put(k, v);
                }
            });
            ModelVersion v = registry.publish(modelName(model), m, ModelRegistry.randomInputs(m.inputSize(), ModelRegistry.SELF_TEST_VECTORS,
                    version), source);
            log.debug("global model {} v{} (round {}) published as {} v{}", model, version, round, v.name(), v.version());
            if (rollout == FederatedConfig.Rollout.ALL) {
                // waits until the offers are stored, so that awaitIdle covers them
                registry.rollout(v.name(), v.version(), List.of(), "federated round " + round).join();
            }
        } catch (RuntimeException e) {
            log.warn("global model {} v{} (round {}) not published: {}", model, version, round, e.toString());
        }
    }

    /** Waits for the publication in progress, if any (for tests and orderly shutdown). */
    public void awaitIdle() throws Exception {
        Future<?> f = last;
        if (f != null) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
