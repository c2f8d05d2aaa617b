package dev.fieldline.training;

import java.util.Arrays;
import java.util.List;

/**
 * Max or average pooling over NHWC images, per channel, with a square window and one stride for
 * both axes. As in TensorFlow, positions in the padding are ignored: a SAME window at the border
 * takes the maximum, or the mean, of only the input positions it covers. Max pooling sends the
 * gradient to the first position holding the maximum.
 */
public final class Pool2D implements Layer {

    /** The reduction of a window. */
    public enum Kind { MAX, AVERAGE }

    private final Kind kind;
    private final int inH;
    private final int inW;
    private final int channels;
    private final int size;
    private final int stride;
    private final Padding padding;
    private final int outH;
    private final int outW;
    /** Each output row's input rows {@code [rowFrom, rowTo)} and each output column's input columns, padding cut off. */
    private final int[] rowFrom;
    private final int[] rowTo;
    private final int[] colFrom;
    private final int[] colTo;
    private float[] output = new float[0];
    private int[] argmax = new int[0];
    private float[] gradInput = new float[0];

    public Pool2D(Kind kind, int[] inputShape, int size, int stride, Padding padding) {
        Padding.checkImage(kind == Kind.MAX ? "MaxPool2D" : "AveragePool2D", inputShape);
        this.kind = kind;
        this.inH = inputShape[0];
        this.inW = inputShape[1];
        this.channels = inputShape[2];
        this.size = size;
        this.stride = stride;
        this.padding = padding;
        this.outH = padding.outSize(inH, size, stride);
        this.outW = padding.outSize(inW, size, stride);
        int padTop = padding.before(inH, size, stride);
        int padLeft = padding.before(inW, size, stride);
        this.rowFrom = new int[outH];
        this.rowTo = new int[outH];
        for (int o = 0; o < outH; o++) {
            rowFrom[o] = Math.max(o * stride - padTop, 0);
            rowTo[o] = Math.min(o * stride - padTop + size, inH);
        }
        this.colFrom = new int[outW];
        this.colTo = new int[outW];
        for (int o = 0; o < outW; o++) {
            colFrom[o] = Math.max(o * stride - padLeft, 0);
            colTo[o] = Math.min(o * stride - padLeft + size, inW);
        }
    }

    public static Pool2D max(int[] inputShape, int size, int stride, Padding padding) {
        return new Pool2D(Kind.MAX, inputShape, size, stride, padding);
    }

    public static Pool2D average(int[] inputShape, int size, int stride, Padding padding) {
        return new Pool2D(Kind.AVERAGE, inputShape, size, stride, padding);
    }

    public Kind kind() {
        return kind;
    }

    /** The side of the square window. */
    public int size() {
        return size;
    }

    public int stride() {
        return stride;
    }

    public Padding padding() {
        return padding;
    }

    @Override
    public int[] inputShape() {
        return new int[] {inH, inW, channels};
    }

    @Override
    public int[] outputShape() {
        return new int[] {outH, outW, channels};
    }

    @Override
    public float[] forward(float[] input, int batch) {
        int inSize = inH * inW * channels;
        int outSize = outH * outW * channels;
        if (output.length < batch * outSize) {
            output = new float[batch * outSize];
            argmax = new int[batch * outSize];
            gradInput = new float[batch * inSize];
        }
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = rowFrom[oy];
                int y1 = rowTo[oy];
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = colFrom[ox];
                    int x1 = colTo[ox];
                    int yo = n * outSize + (oy * outW + ox) * channels;
                    for (int c = 0; c < channels; c++) {
                        int best = -1;
                        float acc = kind == Kind.MAX ? Float.NEGATIVE_INFINITY : 0f;
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                int i = n * inSize + (iy * inW + ix) * channels + c;
                                if (kind == Kind.AVERAGE) {
                                    acc += input[i];
                                } else if (input[i] > acc || best < 0) {
                                    acc = input[i];
                                    best = i;
                                }
                            }
                        }
                        if (kind == Kind.AVERAGE) {
                            acc /= (y1 - y0) * (x1 - x0);
                        }
                        output[yo + c] = acc;
                        argmax[yo + c] = best;
                    }
                }
            }
        }
        return output;
    }

    @Override
    public float[] backward(float[] gradOutput, int batch) {
        int inSize = inH * inW * channels;
        int outSize = outH * outW * channels;
        Arrays.fill(gradInput, 0, batch * inSize, 0f);
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < outH; oy++) {
                int y0 = rowFrom[oy];
                int y1 = rowTo[oy];
                for (int ox = 0; ox < outW; ox++) {
                    int x0 = colFrom[ox];
                    int x1 = colTo[ox];
                    int go = n * outSize + (oy * outW + ox) * channels;
                    for (int c = 0; c < channels; c++) {
                        float g = gradOutput[go + c];
                        if (kind == Kind.MAX) {
                            gradInput[argmax[go + c]] += g;
                            continue;
                        }
                        g /= (y1 - y0) * (x1 - x0);
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) {
                                gradInput[n * inSize + (iy * inW + ix) * channels + c] += g;
                            }
                        }
                    }
                }
            }
        }
        return gradInput;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of();
    }

    @Override
    public String toString() {
        return (kind == Kind.MAX ? "MaxPool2D(" : "AveragePool2D(") + size + "x" + size + ", stride " + stride + ", "
                + padding + ")";
    }
}
