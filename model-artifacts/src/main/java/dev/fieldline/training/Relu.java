package dev.fieldline.training;

import java.util.List;

/** {@code max(0, x)} element-wise, on any shape. */
public final class Relu implements Layer {
    private final int[] shape;
    private final int size;
    private float[] output = new float[0];
    private float[] gradInput = new float[0];

    public Relu(int... shape) {
        this.shape = shape.clone();
        this.size = Layer.size(shape);
    }

    @Override
    public int[] inputShape() {
        return shape.clone();
    }

    @Override
    public int[] outputShape() {
        return shape.clone();
    }

    @Override
    public float[] forward(float[] input, int batch) {
        int n = batch * size;
        if (output.length < n) {
            output = new float[n];
            gradInput = new float[n];
        }
        for (int i = 0; i < n; i++) {
            output[i] = input[i] > 0f ? input[i] : 0f;
        }
        return output;
    }

    @Override
    public float[] backward(float[] gradOutput, int batch) {
        int n = batch * size;
        for (int i = 0; i < n; i++) {
            gradInput[i] = output[i] > 0f ? gradOutput[i] : 0f;
        }
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String toString() {
        return "Relu";
    }
}
