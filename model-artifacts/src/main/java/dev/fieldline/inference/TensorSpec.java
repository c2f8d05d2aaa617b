package dev.fieldline.inference;

import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import java.util.Arrays;

/**
 * An input or output of a model as an engine exposes it.
 *
 * @param tensorIndex the tensor's index in the model's subgraph
 * @param name the tensor's name (may be empty)
 * @param type element type
 * @param shape dimensions
 * @param quantization affine quantisation, or {@link Quantization#NONE}
 */
public record TensorSpec(int tensorIndex, String name, TensorType type, int[] shape, Quantization quantization) {

    public TensorSpec {
        shape = shape.clone();
    }

    public static TensorSpec of(TensorInfo t) {
        return new TensorSpec(t.index(), t.name(), t.type(), t.shape(), t.quantization());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int elementCount() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int byteSize() {
        return elementCount() * type.bytes();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && tensorIndex == s.tensorIndex && name.equals(s.name) && type == s.type
                && Arrays.equals(shape, s.shape) && quantization.equals(s.quantization);
    }

    @Override
    public int hashCode() {
        return 31 * tensorIndex + Arrays.hashCode(shape);
    }
}
