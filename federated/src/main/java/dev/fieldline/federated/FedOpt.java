package dev.fieldline.federated;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adaptive server optimisers of Reddi et al. 2021, "Adaptive Federated Optimization" (Algorithm 2): the
 * round's example-weighted mean delta Δ is the pseudo-gradient (already pointing downhill), and
 * <pre>
 *   m ← β₁·m + (1 − β₁)·Δ
 *   v ← v + Δ²                                  (FedAdagrad)
 *   v ← β₂·v + (1 − β₂)·Δ²                      (FedAdam)
 *   v ← v − (1 − β₂)·Δ²·sign(v − Δ²)            (FedYogi)
 *   w ← w + η·m / (√v + τ)
 * </pre>
 * element-wise, with {@code m} and {@code v} starting at zero and no bias correction, as in the paper.
 * FedAdagrad uses β₁ too (the paper's version); β₂ does not apply to it. {@code m} and {@code v} are the
 * strategy's state.
 */
public final class FedOpt implements LinearStrategy {

    /** The second-moment rule. */
    public enum Variant {
        ADAGRAD("fedadagrad"), ADAM("fedadam"), YOGI("fedyogi");

        private final String strategyName;

        Variant(String strategyName) {
            this.strategyName = strategyName;
        }

        public String strategyName() {
            return strategyName;
        }
    }

    private final Variant variant;
    private final float eta;
    private final float beta1;
    private final float beta2;
    private final float tau;
    private float[] m;
    private float[] v;

    /**
     * @param eta server learning rate η &gt; 0
     * @param beta1 first-moment decay in [0, 1)
     * @param beta2 second-moment decay in [0, 1) (ignored by Adagrad)
     * @param tau adaptivity τ &gt; 0 (keeps the denominator away from zero)
     */
    public FedOpt(Variant variant, float eta, float beta1, float beta2, float tau) {
        if (!(eta > 0) || !Float.isFinite(eta)) {
            throw new IllegalArgumentException("eta must be positive, was " + eta);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta_1 must be in [0, 1), was " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta_2 must be in [0, 1), was " + beta2);
        }
        if (!(tau > 0) || !Float.isFinite(tau)) {
            throw new IllegalArgumentException("tau must be positive, was " + tau);
        }
        this.variant = variant;
        this.eta = eta;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.tau = tau;
    }

    public Variant variant() {
        return variant;
    }

    @Override
    public String name() {
        return variant.strategyName();
    }

    @Override
    public float[] applyMean(int round, float[] global, float[] meanDelta) {
        int n = global.length;
        if (m == null || v == null) {
            m = new float[n];
            v = new float[n];
        }
        ServerState.requireLength(name(), "m", m, n);
        ServerState.requireLength(name(), "v", v, n);
        float[] next = new float[n];
        for (int i = 0; i < n; i++) {
            float d = meanDelta[i];
            float d2 = d * d;
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = switch (variant) {
                case ADAGRAD -> v[i] + d2;
                case ADAM -> beta2 * v[i] + (1 - beta2) * d2;
                case YOGI -> v[i] - (1 - beta2) * d2 * Math.signum(v[i] - d2);
            };
            next[i] = global[i] + eta * m[i] / ((float) Math.sqrt(v[i]) + tau);
        }
        return next;
    }

    @Override
    public Map<String, float[]> state() {
        if (m == null) {
            return Map.of();
        }
        Map<String, float[]> s = new LinkedHashMap<>();
        s.put("m", m.clone());
        s.put("v", v.clone());
        return s;
    }

    @Override
    public void restore(Map<String, float[]> state) {
        float[] rm = state.get("m");
        float[] rv = state.get("v");
        if ((rm == null) != (rv == null)) {
            throw new IllegalArgumentException(name() + ": state needs both 'm' and 'v', got " + state.keySet());
        }
        m = rm == null ? null : rm.clone();
        v = rv == null ? null : rv.clone();
    }
}
