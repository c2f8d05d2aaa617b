package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * A kernel that computes each output element from the input element at the same index (input and
 * output have the same shape).
 */
abstract class UnaryKernel implements Kernel {

    final TensorView in;
    final TensorView out;
    private final int n;

    UnaryKernel(TensorView in, TensorView out) {
        this.in = in;
        this.out = out;
        this.n = in.elementCount();
    }

    /**
     * Checks an operator with one input and one output of the same type and shape, the type one of
     * {@code allowed}; returns the input.
     */
    static TensorView checkSameTypeAndShape(OpContext ctx, TensorType... allowed) {
        ctx.requireInputs(1, 1);
        ctx.requireOutputs(1);
        TensorView in = ctx.input(0);
        TensorView out = ctx.output(0);
        ctx.requireType(in, allowed);
        ctx.requireType(out, in.type());
        ctx.requireShape(out, in.shape());
        return in;
    }

    @Override
    public final void invoke() {
        for (int i = 0; i < n; i++) {
            compute(i);
        }
    }

    /** Writes output element {@code i}. */
    abstract void compute(int i);
}
