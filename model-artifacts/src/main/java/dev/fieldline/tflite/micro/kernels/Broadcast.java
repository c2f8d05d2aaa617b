package dev.fieldline.tflite.micro.kernels;

import java.util.Arrays;

/**
 * NumPy-style broadcasting of two inputs to an output, as TFLite's binary operators do: shapes are
 * aligned on the right, each dimension pair is equal or one of them is 1. Walks the output in
 * row-major order and tracks where each input element is, without allocating: call
 * {@link #start()}, then read {@link #a()} and {@link #b()} and call {@link #next()} per output
 * element. Not thread-safe; one instance per kernel.
 */
final class Broadcast {

    /** Highest rank handled (TFLite's slow broadcast paths go up to 6 dimensions). */
    static final int MAX_RANK = 6;

    private final int rank;
    private final int[] dims;
    private final int[] strideA;
    private final int[] strideB;
    private final int[] rewindA;
    private final int[] rewindB;
    private final int[] counter;
    private final boolean trivial;
    private int a;
    private int b;

    private Broadcast(int[] out, int[] shapeA, int[] shapeB) {
        this.rank = out.length;
        this.dims = out.clone();
        this.strideA = strides(shapeA, rank);
        this.strideB = strides(shapeB, rank);
        this.rewindA = new int[rank];
        this.rewindB = new int[rank];
        for (int d = 0; d < rank; d++) {
            rewindA[d] = strideA[d] * dims[d];
            rewindB[d] = strideB[d] * dims[d];
        }
        this.counter = new int[rank];
        this.trivial = Arrays.equals(shapeA, out) && Arrays.equals(shapeB, out);
    }

    /**
     * The broadcast shape of two shapes, or null when they do not broadcast.
     */
    static int[] shape(int[] shapeA, int[] shapeB) {
        int rank = Math.max(shapeA.length, shapeB.length);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            int da = dim(shapeA, d, rank);
            int db = dim(shapeB, d, rank);
            if (da != db && da != 1 && db != 1) {
                return null;
            }
            out[d] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Checks that the inputs broadcast to exactly the output's declared shape.
     *
     * @return the iteration over the output
     */
    static Broadcast of(OpContext ctx, TensorView inA, TensorView inB, TensorView out) {
        int[] expected = shape(inA.shape(), inB.shape());
        if (expected == null) {
            throw ctx.invalid(inB, "shape " + Arrays.toString(inB.shape()) + " does not broadcast with "
                    + Arrays.toString(inA.shape()));
        }
        ctx.requireShape(out, expected);
        if (expected.length > MAX_RANK) {
            throw ctx.unsupported(out, "broadcasting beyond " + MAX_RANK + " dimensions");
        }
        return new Broadcast(expected, inA.shape(), inB.shape());
    }

    private static int dim(int[] shape, int d, int rank) {
        int i = d - (rank - shape.length);
        return i < 0 ? 1 : shape[i];
    }

    private static int[] strides(int[] shape, int rank) {
        int[] s = new int[rank];
        int stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
            int size = dim(shape, d, rank);
            s[d] = size == 1 ? 0 : stride;
            stride *= size;
        }
        return s;
    }

    /** Whether both inputs already have the output's shape (element i pairs with element i). */
    boolean trivial() {
        return trivial;
    }

    void start() {
        Arrays.fill(counter, 0);
        a = 0;
        b = 0;
    }

    /** Element index in input A for the current output element. */
    int a() {
        return a;
    }

    /** Element index in input B for the current output element. */
    int b() {
        return b;
    }

    /** Moves to the next output element. */
    void next() {
        for (int d = rank - 1; d >= 0; d--) {
            a += strideA[d];
            b += strideB[d];
            if (++counter[d] < dims[d]) {
                return;
            }
            counter[d] = 0;
            a -= rewindA[d];
            b -= rewindB[d];
        }
    }
}
