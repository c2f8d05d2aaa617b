package dev.fieldline.training;

import java.util.List;
import java.util.Random;

/**
 * A 2-D convolution over NHWC images: {@code y[oy,ox,o] = b[o] + Σ w[o,ky,kx,i]·x[oy·s+ky-p, ox·s+kx-p, i]}
 * (positions in the padding count as zero). Filters have shape {@code [filters, kernelH, kernelW, channels]},
 * the layout of TensorFlow Lite's CONV_2D; one stride for both axes. Weights start He-uniform
 * ({@code ±sqrt(6/fanIn)}, {@code fanIn = kernelH·kernelW·channels}) from the given generator, biases at zero.
 */
public final class Conv2D implements Layer {
    private final int inH;
    private final int inW;
    private final int inC;
    private final int kh;
    private final int kw;
    private final int stride;
    private final Padding padding;
    private final int outH;
    private final int outW;
    private final int filters;
    private final int padTop;
    private final int padLeft;
    private final Parameter weights;
    private final Parameter bias;
    private float[] lastInput = new float[0];
    private float[] output = new float[0];
    private float[] gradInput = new float[0];
    private final float[] patch;
    private final float[] gradPatch;
    /** The receptive fields of all output positions of one image, column-wise ({@link #gatherColumns}). */
    private final float[] columns;
    /** One image's outputs before the bias, filter-major. */
    private final float[] filterOut;

    public Conv2D(int[] inputShape, int filters, int kernelH, int kernelW, int stride, Padding padding, Random random) {
        Padding.checkImage("Conv2D", inputShape);
        if (filters < 1) {
            throw new IllegalArgumentException("filters must be positive, was " + filters);
        }
        this.inH = inputShape[0];
        this.inW = inputShape[1];
        this.inC = inputShape[2];
        this.kh = kernelH;
        this.kw = kernelW;
        this.stride = stride;
        this.padding = padding;
        this.outH = padding.outSize(inH, kernelH, stride);
        this.outW = padding.outSize(inW, kernelW, stride);
        this.padTop = padding.before(inH, kernelH, stride);
        this.padLeft = padding.before(inW, kernelW, stride);
        this.filters = filters;
        this.weights = new Parameter("filters", filters, kernelH, kernelW, inC);
        this.bias = new Parameter("bias", filters);
        this.patch = new float[kernelH * kernelW * inC];
        this.gradPatch = new float[patch.length];
        this.columns = new float[patch.length * outH * outW];
        this.filterOut = new float[filters * outH * outW];
        float limit = (float) Math.sqrt(6.0 / (kernelH * kernelW * inC));
        float[] w = weights.value();
        for (int i = 0; i < w.length; i++) {
            w[i] = (random.nextFloat() * 2f - 1f) * limit;
        }
    }

    /** {@code [filters, kernelH, kernelW, channels]}, row-major. */
    public Parameter weights() {
        return weights;
    }

    public Parameter bias() {
        return bias;
    }

    public int kernelH() {
        return kh;
    }

    public int kernelW() {
        return kw;
    }

    public int stride() {
        return stride;
    }

    public Padding padding() {
        return padding;
    }

    @Override
    public int[] inputShape() {
        return new int[] {inH, inW, inC};
    }

    @Override
    public int[] outputShape() {
        return new int[] {outH, outW, filters};
    }

    /**
     * Each output is {@code Σ_j w[o,j]·patch[j]} over the receptive field in filter order, from zero, then plus
     * the bias. Computed filter by filter as contiguous multiply-adds over all output positions at once (on the
     * receptive fields gathered column-wise), so the JIT can vectorise them; the order of the additions for
     * each output is a dot product's.
     */
    @Override
    public float[] forward(float[] input, int batch) {
        int inSize = inH * inW * inC;
        int outSize = outH * outW * filters;
        if (lastInput.length < batch * inSize) {
            lastInput = new float[batch * inSize];
            output = new float[batch * outSize];
            gradInput = new float[batch * inSize];
        }
        System.arraycopy(input, 0, lastInput, 0, batch * inSize);
        float[] w = weights.value();
        float[] b = bias.value();
        int k = patch.length;
        int positions = outH * outW;
        for (int n = 0; n < batch; n++) {
            gatherColumns(lastInput, n * inSize);
            java.util.Arrays.fill(filterOut, 0f);
            for (int o = 0; o < filters; o++) {
                int wo = o * k;
                int fo = o * positions;
                for (int j = 0; j < k; j++) {
                    float wj = w[wo + j];
                    int co = j * positions;
                    for (int p = 0; p < positions; p++) {
                        filterOut[fo + p] += wj * columns[co + p];
                    }
                }
            }
            int yo = n * outSize;
            for (int p = 0; p < positions; p++) {
                for (int o = 0; o < filters; o++) {
                    output[yo + p * filters + o] = filterOut[o * positions + p] + b[o];
                }
            }
        }
        return output;
    }

    /**
     * Position by position, as the forward pass: bias and filter gradients, and the receptive field's input
     * gradient (summed over the filters in order) added back onto the input. Zero output gradients (behind a
     * ReLU or a max-pool) are skipped.
     */
    @Override
    public float[] backward(float[] gradOutput, int batch) {
        int inSize = inH * inW * inC;
        int outSize = outH * outW * filters;
        java.util.Arrays.fill(gradInput, 0, batch * inSize, 0f);
        float[] w = weights.value();
        float[] gw = weights.grad();
        float[] gb = bias.grad();
        int k = patch.length;
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int go = n * outSize + (oy * outW + ox) * filters;
                    boolean any = false;
                    for (int o = 0; o < filters; o++) {
                        if (gradOutput[go + o] != 0f) {
                            any = true;
                            break;
                        }
                    }
                    if (!any) {
                        continue;
                    }
                    gather(lastInput, n * inSize, oy, ox);
                    java.util.Arrays.fill(gradPatch, 0f);
                    for (int o = 0; o < filters; o++) {
                        float g = gradOutput[go + o];
                        if (g == 0f) {
                            continue;
                        }
                        gb[o] += g;
                        int wo = o * k;
                        for (int j = 0; j < k; j++) {
                            gw[wo + j] += g * patch[j];
                        }
                        for (int j = 0; j < k; j++) {
                            gradPatch[j] += g * w[wo + j];
                        }
                    }
                    scatter(gradPatch, gradInput, n * inSize, oy, ox);
                }
            }
        }
        return gradInput;
    }

    /**
     * Writes every output position's receptive field into {@link #columns} column-wise: element {@code j} of the
     * field of position {@code p} at {@code j·positions + p}; zeros for padding.
     */
    private void gatherColumns(float[] x, int xo) {
        int positions = outH * outW;
        int j = 0;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int c = 0; c < inC; c++, j++) {
                    int co = j * positions;
                    for (int oy = 0; oy < outH; oy++) {
                        int iy = oy * stride + ky - padTop;
                        int row = co + oy * outW;
                        if (iy < 0 || iy >= inH) {
                            java.util.Arrays.fill(columns, row, row + outW, 0f);
                            continue;
                        }
                        for (int ox = 0; ox < outW; ox++) {
                            int ix = ox * stride + kx - padLeft;
                            columns[row + ox] = ix < 0 || ix >= inW ? 0f : x[xo + (iy * inW + ix) * inC + c];
                        }
                    }
                }
            }
        }
    }

    /** Copies the receptive field of output {@code (oy, ox)} into {@link #patch}, in filter order, zeros for padding. */
    private void gather(float[] x, int xo, int oy, int ox) {
        int j = 0;
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * stride + ky - padTop;
            for (int kx = 0; kx < kw; kx++, j += inC) {
                int ix = ox * stride + kx - padLeft;
                if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
                    java.util.Arrays.fill(patch, j, j + inC, 0f);
                } else {
                    System.arraycopy(x, xo + (iy * inW + ix) * inC, patch, j, inC);
                }
            }
        }
    }

    /** Adds a patch-shaped gradient back onto the input positions it came from (padding dropped). */
    private void scatter(float[] g, float[] gx, int xo, int oy, int ox) {
        int j = 0;
        for (int ky = 0; ky < kh; ky++) {
            int iy = oy * stride + ky - padTop;
            for (int kx = 0; kx < kw; kx++, j += inC) {
                int ix = ox * stride + kx - padLeft;
                if (iy >= 0 && iy < inH && ix >= 0 && ix < inW) {
                    int io = xo + (iy * inW + ix) * inC;
                    for (int c = 0; c < inC; c++) {
                        gx[io + c] += g[j + c];
                    }
                }
            }
        }
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weights, bias);
    }

    @Override
    public String toString() {
        return "Conv2D(" + inH + "x" + inW + "x" + inC + " -> " + outH + "x" + outW + "x" + filters + ", kernel " + kh
                + "x" + kw + ", stride " + stride + ", " + padding + ")";
    }
}
