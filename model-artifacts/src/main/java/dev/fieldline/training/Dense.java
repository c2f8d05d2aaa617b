package dev.fieldline.training;

import java.util.List;
import java.util.Random;

/**
 * A fully connected layer: {@code y = W·x + b}, with {@code W} of shape {@code [units, inputs]} (the
 * layout of TensorFlow Lite's FULLY_CONNECTED weights) and {@code b} of {@code [units]}. Weights start
 * He-uniform ({@code ±sqrt(6/inputs)}), biases at zero.
 */
public final class Dense implements Layer {
    private final int inputs;
    private final int units;
    private final Parameter weights;
    private final Parameter bias;
    private float[] lastInput = new float[0];
    private float[] output = new float[0];
    private float[] gradInput = new float[0];
    private float[] transposed = new float[0];

    public Dense(int inputs, int units, Random random) {
        if (inputs < 1 || units < 1) {
            throw new IllegalArgumentException("inputs and units must be positive, were " + inputs + ", " + units);
        }
        this.inputs = inputs;
        this.units = units;
        this.weights = new Parameter("weights", units, inputs);
        this.bias = new Parameter("bias", units);
        float limit = (float) Math.sqrt(6.0 / inputs);
        float[] w = weights.value();
        for (int i = 0; i < w.length; i++) {
            w[i] = (random.nextFloat() * 2f - 1f) * limit;
        }
    }

    public int inputs() {
        return inputs;
    }

    public int units() {
        return units;
    }

    /** {@code [units, inputs]}, row-major. */
    public Parameter weights() {
        return weights;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public int[] inputShape() {
        return new int[] {inputs};
    }

    @Override
    public int[] outputShape() {
        return new int[] {units};
    }

    /**
     * Each output is {@code Σ_i w[u,i]·x[i]} summed in input order from zero, then plus the bias. The loops run as
     * contiguous multiply-adds over the units (on a transposed copy of the weights) so the JIT can vectorise
     * them; the order of the additions for each output is the same as a dot product's. Zero inputs (ReLU
     * outputs, black pixels) are skipped.
     */
    @Override
    public float[] forward(float[] input, int batch) {
        if (lastInput.length < batch * inputs) {
            lastInput = new float[batch * inputs];
            output = new float[batch * units];
            gradInput = new float[batch * inputs];
        }
        System.arraycopy(input, 0, lastInput, 0, batch * inputs);
        float[] w = weights.value();
        float[] b = bias.value();
        if (transposed.length != w.length) {
            transposed = new float[w.length];
        }
        float[] wt = transposed;
        for (int u = 0; u < units; u++) {
            int wo = u * inputs;
            for (int i = 0; i < inputs; i++) {
                wt[i * units + u] = w[wo + i];
            }
        }
        java.util.Arrays.fill(output, 0, batch * units, 0f);
        for (int i = 0; i < inputs; i++) {
            int to = i * units;
            for (int n = 0; n < batch; n++) {
                float x = input[n * inputs + i];
                if (x == 0f) {
                    continue;
                }
                int yo = n * units;
                for (int u = 0; u < units; u++) {
                    output[yo + u] += wt[to + u] * x;
                }
            }
        }
        for (int n = 0; n < batch; n++) {
            int yo = n * units;
            for (int u = 0; u < units; u++) {
                output[yo + u] += b[u];
            }
        }
        return output;
    }

    /**
     * Unit by unit, over the batch in order: the bias and weight gradients, and the input gradient
     * {@code Σ_u w[u,i]·g[u]} summed in unit order; contiguous multiply-adds over the inputs. Zero output
     * gradients (behind a ReLU) are skipped.
     */
    @Override
    public float[] backward(float[] gradOutput, int batch) {
        float[] w = weights.value();
        float[] gw = weights.grad();
        float[] gb = bias.grad();
        java.util.Arrays.fill(gradInput, 0, batch * inputs, 0f);
        for (int u = 0; u < units; u++) {
            int wo = u * inputs;
            for (int n = 0; n < batch; n++) {
                float g = gradOutput[n * units + u];
                if (g == 0f) {
                    continue;
                }
                gb[u] += g;
                int xo = n * inputs;
                for (int i = 0; i < inputs; i++) {
                    gw[wo + i] += g * lastInput[xo + i];
                }
                for (int i = 0; i < inputs; i++) {
                    gradInput[xo + i] += w[wo + i] * g;
                }
            }
        }
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weights, bias);
    }

    @Override
    public String toString() {
        return "Dense(" + inputs + " -> " + units + ")";
    }
}
