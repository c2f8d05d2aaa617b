package dev.fieldline.tflite.micro.kernels;

import java.util.Map;

/**
 * Element-wise, shape and sequence operators: QUANTIZE, DEQUANTIZE, ADD, MUL, SUB, LOGISTIC, TANH,
 * RELU, RELU6, LEAKY_RELU, CONCATENATION, PAD, MEAN, SVDF.
 */
final class ElementwiseKernels {

    private ElementwiseKernels() {}

    static void register(Map<Integer, KernelSpec> m) {
    }
}
