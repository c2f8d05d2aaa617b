package dev.fieldline.training;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with classical momentum: {@code v = μ·v - η·g; w += v}. Momentum 0 is
 * plain SGD.
 */
public final class Sgd implements Optimizer {
    private final float learningRate;
    private final float momentum;
    private final Map<Parameter, float[]> velocity = new IdentityHashMap<>();

    public Sgd(float learningRate, float momentum) {
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive, was " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), was " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    @Override
    public void step(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            float[] w = p.value();
            float[] g = p.grad();
            if (momentum == 0f) {
                for (int i = 0; i < w.length; i++) {
                    w[i] -= learningRate * g[i];
                }
                continue;
            }
            float[] v = velocity.computeIfAbsent(p, k -> new float[k.size()]);
            for (int i = 0; i < w.length; i++) {
                v[i] = momentum * v[i] - learningRate * g[i];
                w[i] += v[i];
            }
        }
    }
}
