package dev.fieldline.tflite;

import java.util.Arrays;

/**
 * One tensor of the model's main subgraph as the file declares it.
 *
 * @param index position in the subgraph's tensor list
 * @param name the tensor's name (may be empty)
 * @param type element type
 * @param shape dimensions, row-major; rank 0 is a scalar
 * @param buffer index into the model's buffers
 * @param dataOffset offset of the constant data in the model bytes, or -1 when the tensor has none
 * @param quantization affine quantisation, {@link Quantization#NONE} for float tensors
 * @param variable whether the tensor is a variable (state kept across invocations)
 */
public record TensorInfo(
        int index,
        String name,
        TensorType type,
        int[] shape,
        int buffer,
        int dataOffset,
        Quantization quantization,
        boolean variable) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i];
    }

    /** Number of elements (1 for a scalar). */
    public int elementCount() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return (int) n;
    }

    public int byteSize() {
        return elementCount() * type.bytes();
    }

    /** Constant data lives in the model file. */
    public boolean isConstant() {
        return dataOffset >= 0;
    }

    /** Short description for error messages: {@code tensor 12 'conv1/weights' int8[8,3,3,1]}. */
    public String describe() {
        return "tensor " + index + (name.isEmpty() ? "" : " '" + name + "'") + " " + type.dtype() + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t
                && index == t.index
                && name.equals(t.name)
                && type == t.type
                && Arrays.equals(shape, t.shape)
                && buffer == t.buffer
                && dataOffset == t.dataOffset
                && quantization.equals(t.quantization)
                && variable == t.variable;
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return describe();
    }
}
