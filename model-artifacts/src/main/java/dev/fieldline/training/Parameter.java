package dev.fieldline.training;

import java.util.Arrays;

/**
 * A trainable tensor of a layer: its values and the gradient accumulated by the last backward pass,
 * both float32, row-major in {@link #shape()}.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final float[] value;
    private final float[] grad;

    public Parameter(String name, int... shape) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("name must not be empty");
        }
        int n = 1;
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("shape of " + name + " must be positive, was " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        this.name = name;
        this.shape = shape.clone();
        this.value = new float[n];
        this.grad = new float[n];
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        return value.length;
    }

    /** The values, shared (optimisers update them in place). */
    public float[] value() {
        return value;
    }

    /** The gradient of the loss with respect to the values, shared. */
    public float[] grad() {
        return grad;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
