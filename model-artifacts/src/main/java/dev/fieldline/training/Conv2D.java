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
        for (int n = 0; n < batch; n++) {
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    gather(lastInput, n * inSize, oy, ox);
                    int yo = n * outSize + (oy * outW + ox) * filters;
                    for (int o = 0; o < filters; o++) {
                        int wo = o * k;
                        float acc = 0f;
                        for (int j = 0; j < k; j++) {
                            acc += w[wo + j] * patch[j];
                        }
                        output[yo + o] = acc + b[o];
                    }
                }
            }
        }
        return output;
    }

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
                    gather(lastInput, n * inSize, oy, ox);
                    java.util.Arrays.fill(gradPatch, 0f);
                    int go = n * outSize + (oy * outW + ox) * filters;
                    for (int o = 0; o < filters; o++) {
                        float g = gradOutput[go + o];
                        gb[o] += g;
                        int wo = o * k;
                        for (int j = 0; j < k; j++) {
                            gw[wo + j] += g * patch[j];
                            gradPatch[j] += g * w[wo + j];
                        }
                    }
                    scatter(gradPatch, gradInput, n * inSize, oy, ox);
                }
            }
        }
        return gradInput;
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
