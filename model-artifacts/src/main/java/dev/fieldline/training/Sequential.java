package dev.fieldline.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layers applied one after another; each layer's input shape must equal the previous one's output
 * shape. Build with {@link #builder(long, int...)}:
 *
 * <pre>
 * Sequential model = Sequential.builder(seed, 32).dense(16).relu().dense(4).build();
 * </pre>
 */
public final class Sequential {
    private final List<Layer> layers;
    private final int[] inputShape;
    private final int[] outputShape;

    public Sequential(List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a model needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (!Arrays.equals(layers.get(i - 1).outputShape(), layers.get(i).inputShape())) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i) + ") takes "
                        + Arrays.toString(layers.get(i).inputShape()) + " but layer " + (i - 1) + " ("
                        + layers.get(i - 1) + ") gives " + Arrays.toString(layers.get(i - 1).outputShape()));
            }
        }
        this.layers = List.copyOf(layers);
        this.inputShape = layers.get(0).inputShape();
        this.outputShape = layers.get(layers.size() - 1).outputShape();
    }

    public static Builder builder(long seed, int... inputShape) {
        return new Builder(seed, inputShape);
    }

    public List<Layer> layers() {
        return layers;
    }

    public int[] inputShape() {
        return inputShape.clone();
    }

    public int[] outputShape() {
        return outputShape.clone();
    }

    public int inputSize() {
        return Layer.size(inputShape);
    }

    public int outputSize() {
        return Layer.size(outputShape);
    }

    /** Every trainable parameter, layer by layer. */
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (Layer l : layers) {
            all.addAll(l.parameters());
        }
        return all;
    }

    /** The outputs of a batch (a buffer of the last layer, overwritten by the next call). */
    public float[] forward(float[] input, int batch) {
        if (input.length < batch * inputSize()) {
            throw new IllegalArgumentException("input holds " + input.length + " values, a batch of " + batch
                    + " needs " + batch * inputSize());
        }
        float[] x = input;
        for (Layer l : layers) {
            x = l.forward(x, batch);
        }
        return x;
    }

    /** Back-propagates the gradient of the loss with respect to the outputs of the last {@link #forward}. */
    public void backward(float[] gradOutput, int batch) {
        float[] g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, batch);
        }
    }

    public void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /** The outputs of {@code count} examples, computed in batches of {@code batchSize}; a new array. */
    public float[] predict(float[] inputs, int count, int batchSize) {
        int in = inputSize();
        int out = outputSize();
        float[] result = new float[count * out];
        float[] chunk = new float[batchSize * in];
        for (int start = 0; start < count; start += batchSize) {
            int b = Math.min(batchSize, count - start);
            System.arraycopy(inputs, start * in, chunk, 0, b * in);
            float[] y = forward(chunk, b);
            System.arraycopy(y, 0, result, start * out, b * out);
        }
        return result;
    }

    @Override
    public String toString() {
        return "Sequential" + layers;
    }

    /** Adds layers whose input shape follows from the previous layer. */
    public static final class Builder {
        private final java.util.Random random;
        private final List<Layer> layers = new ArrayList<>();
        private int[] shape;

        private Builder(long seed, int[] inputShape) {
            this.random = new java.util.Random(seed);
            this.shape = inputShape.clone();
            Layer.size(shape);
        }

        /** A dense layer; a non-flat input is first {@link #flatten() flattened} (row-major), as FULLY_CONNECTED does. */
        public Builder dense(int units) {
            if (shape.length != 1) {
                flatten();
            }
            return add(new Dense(Layer.size(shape), units, random));
        }

        /** A convolution with {@code filters} square {@code kernel×kernel} filters on the current image shape. */
        public Builder conv2d(int filters, int kernel, int stride, Padding padding) {
            return add(new Conv2D(shape, filters, kernel, kernel, stride, padding, random));
        }

        public Builder maxPool(int size, int stride, Padding padding) {
            return add(Pool2D.max(shape, size, stride, padding));
        }

        public Builder averagePool(int size, int stride, Padding padding) {
            return add(Pool2D.average(shape, size, stride, padding));
        }

        public Builder flatten() {
            return add(new Flatten(shape));
        }

        public Builder relu() {
            return add(new Relu(shape));
        }

        public Builder add(Layer layer) {
            if (Layer.size(layer.inputShape()) != Layer.size(shape)) {
                throw new IllegalArgumentException(layer + " takes " + Arrays.toString(layer.inputShape())
                        + " but the model so far gives " + Arrays.toString(shape));
            }
            layers.add(layer);
            shape = layer.outputShape();
            return this;
        }

        public Sequential build() {
            return new Sequential(layers);
        }
    }
}
