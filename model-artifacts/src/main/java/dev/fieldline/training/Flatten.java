package dev.fieldline.training;

import java.util.List;

/**
 * Reshapes each example to {@code [size]}, row-major (NHWC images become {@code h·w·c} values in
 * that order, as TFLite's RESHAPE before FULLY_CONNECTED). No copy: the input and gradient buffers
 * pass through.
 */
public final class Flatten implements Layer {
    private final int[] shape;

    public Flatten(int... inputShape) {
        this.shape = inputShape.clone();
        Layer.size(shape);
    }

    @Override
    public int[] inputShape() {
        return shape.clone();
    }

    @Override
    public int[] outputShape() {
        return new int[] {Layer.size(shape)};
    }

    @Override
    public float[] forward(float[] input, int batch) {
        return input;
    }

    @Override
    public float[] backward(float[] gradOutput, int batch) {
        return gradOutput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String toString() {
        return "Flatten";
    }
}
