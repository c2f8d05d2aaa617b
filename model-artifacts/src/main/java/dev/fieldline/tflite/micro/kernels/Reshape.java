package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.Arrays;

/**
 * RESHAPE of any fixed-size type: copies the bytes. The new shape comes from the second input when
 * it is a 1-D int32 tensor (it must be constant here), otherwise from the {@code new_shape} option
 * ({@code [0]} meaning a scalar, as legacy models write it); one {@code -1} is resolved from the
 * element count. The result must be the output tensor's shape.
 */
final class Reshape {

    private Reshape() {}

    static Kernel prepare(OpContext ctx) {
        ctx.requireInputs(1, 2);
        ctx.requireOutputs(1);
        TensorView input = ctx.input(0);
        TensorView shape = ctx.optionalInput(1);
        TensorView output = ctx.output(0);
        if (output.type() != input.type()) {
            throw ctx.invalid(output, "type " + output.type().dtype() + " differs from the input's " + input.type().dtype());
        }
        if (input.type().bytes() == 0) {
            throw ctx.unsupported(input, "type " + input.type().dtype() + " has no fixed element size");
        }
        int[] requested = requestedShape(ctx, shape);
        int[] resolved = resolve(ctx, requested, input.elementCount());
        if (!Arrays.equals(resolved, output.shape())) {
            throw ctx.invalid(output, "the new shape " + Arrays.toString(resolved) + " is not the output's "
                    + Arrays.toString(output.shape()));
        }
        return new Copy(input.data(), input.offset(), output.data(), output.offset(), input.byteSize());
    }

    private static int[] requestedShape(OpContext ctx, TensorView shape) {
        if (shape != null && shape.rank() == 1 && shape.type() == TensorType.INT32) {
            if (!shape.isConstant()) {
                throw ctx.unsupported(shape, "the shape input must be a constant tensor");
            }
            return shape.toInt32Array();
        }
        FlatTable opts = LayerKernels.options(ctx, LayerKernels.RESHAPE_OPTIONS, false);
        int[] fromOptions = opts == null ? null : opts.getIntVector(0);
        if (fromOptions == null) {
            if (shape != null) {
                throw ctx.invalid(shape, "the shape input must be a 1-D int32 tensor");
            }
            throw ctx.invalid("no new shape: neither a shape input nor a new_shape option");
        }
        if (fromOptions.length == 1 && fromOptions[0] == 0) {
            return new int[0];
        }
        return fromOptions;
    }

    private static int[] resolve(OpContext ctx, int[] requested, int elements) {
        int[] shape = requested.clone();
        int stretch = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (stretch >= 0) {
                    throw ctx.invalid("new shape " + Arrays.toString(requested) + " has more than one -1");
                }
                stretch = i;
            } else if (shape[i] < 0) {
                throw ctx.invalid("new shape " + Arrays.toString(requested) + " has a negative dimension");
            } else {
                known *= shape[i];
                if (known > Integer.MAX_VALUE) {
                    throw ctx.invalid("new shape " + Arrays.toString(requested) + " is too large");
                }
            }
        }
        if (stretch >= 0) {
            if (known == 0 || elements % known != 0) {
                throw ctx.invalid("cannot fit " + elements + " elements into " + Arrays.toString(requested));
            }
            shape[stretch] = (int) (elements / known);
            known *= shape[stretch];
        }
        if (known != elements) {
            throw ctx.invalid("new shape " + Arrays.toString(requested) + " holds " + known + " elements, the input "
                    + elements);
        }
        return shape;
    }

    private record Copy(byte[] from, int fromOffset, byte[] to, int toOffset, int bytes) implements Kernel {
        @Override
        public void invoke() {
            if (from != to || fromOffset != toOffset) {
                System.arraycopy(from, fromOffset, to, toOffset, bytes);
            }
        }
    }
}
