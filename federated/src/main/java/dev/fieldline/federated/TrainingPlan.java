package dev.fieldline.federated;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a client trains in a round, sent with the round's announcement: local epochs, mini-batch size,
 * SGD learning rate and momentum, FedProx's proximal μ (0 = none), and the seed of the client's
 * shuffling (the client mixes in its own id, so clients shuffle differently).
 */
public record TrainingPlan(int localEpochs, int batchSize, float learningRate, float momentum, double proximalMu,
        long seed) {

    public static final TrainingPlan DEFAULT = new TrainingPlan(1, 32, 0.05f, 0.9f, 0, 1);

    public TrainingPlan {
        if (localEpochs < 1 || localEpochs > 1000) {
            throw new IllegalArgumentException("localEpochs must be in 1..1000, was " + localEpochs);
        }
        if (batchSize < 1 || batchSize > 65536) {
            throw new IllegalArgumentException("batchSize must be in 1..65536, was " + batchSize);
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        if (!(proximalMu >= 0) || !Double.isFinite(proximalMu)) {
            throw new IllegalArgumentException("proximalMu must be >= 0, was " + proximalMu);
        }
    }

    public TrainingPlan withProximalMu(double mu) {
        return new TrainingPlan(localEpochs, batchSize, learningRate, momentum, mu, seed);
    }

    public TrainingPlan withSeed(long newSeed) {
        return new TrainingPlan(localEpochs, batchSize, learningRate, momentum, proximalMu, newSeed);
    }

    /** The plan as a flat map of numbers, for the wire. */
    public Map<String, Double> toMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("epochs", (double) localEpochs);
        m.put("batch", (double) batchSize);
        m.put("lr", (double) learningRate);
        m.put("momentum", (double) momentum);
        m.put("proximal_mu", proximalMu);
        m.put("seed", (double) seed);
        return m;
    }

    /** Reads {@link #toMap()}; a missing key is an error, unknown keys are ignored. */
    public static TrainingPlan fromMap(Map<String, ? extends Number> m) {
        return new TrainingPlan(integer(m, "epochs"), integer(m, "batch"), (float) number(m, "lr"),
                (float) number(m, "momentum"), number(m, "proximal_mu"), (long) number(m, "seed"));
    }

    private static double number(Map<String, ? extends Number> m, String key) {
        Number n = m.get(key);
        if (n == null) {
            throw new IllegalArgumentException("training plan lacks '" + key + "'");
        }
        return n.doubleValue();
    }

    private static int integer(Map<String, ? extends Number> m, String key) {
        double v = number(m, key);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("training plan '" + key + "' must be an integer, was " + v);
        }
        return (int) v;
    }
}
