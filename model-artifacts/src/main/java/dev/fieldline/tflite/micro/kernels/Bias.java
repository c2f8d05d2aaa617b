package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.TensorType;

/**
 * Reads the optional bias of a convolution or fully connected layer into a typed array at prepare
 * time: one value per output channel, zeros when the model omits it.
 */
final class Bias {

    private Bias() {}

    static float[] float32(OpContext ctx, TensorView bias, int channels) {
        if (bias == null) {
            return new float[channels];
        }
        check(ctx, bias, channels, TensorType.FLOAT32);
        ctx.kernelBytes(4L * channels);
        return bias.toFloatArray();
    }

    static int[] int32(OpContext ctx, TensorView bias, int channels) {
        if (bias == null) {
            return new int[channels];
        }
        check(ctx, bias, channels, TensorType.INT32);
        ctx.kernelBytes(4L * channels);
        return bias.toInt32Array();
    }

    static long[] int64(OpContext ctx, TensorView bias, int channels) {
        if (bias == null) {
            return new long[channels];
        }
        check(ctx, bias, channels, TensorType.INT64);
        ctx.kernelBytes(8L * channels);
        return bias.toInt64Array();
    }

    private static void check(OpContext ctx, TensorView bias, int channels, TensorType type) {
        ctx.requireType(bias, type);
        if (!bias.isConstant()) {
            throw ctx.unsupported(bias, "the bias must be a constant tensor");
        }
        if (bias.elementCount() != channels) {
            throw ctx.invalid(bias, bias.elementCount() + " bias values for " + channels + " output channels");
        }
        if (type != TensorType.FLOAT32 && bias.quantization().isQuantized()) {
            for (int c = 0; c < bias.quantization().channels(); c++) {
                if (bias.quantization().zeroPoint(c) != 0) {
                    throw ctx.invalid(bias, "bias zero point " + bias.quantization().zeroPoint(c) + " (must be 0)");
                }
            }
        }
    }
}
