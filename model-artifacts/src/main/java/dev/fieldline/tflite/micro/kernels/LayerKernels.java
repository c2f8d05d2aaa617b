package dev.fieldline.tflite.micro.kernels;

import java.util.Map;

/**
 * Layer operators: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D, MAX_POOL_2D,
 * RESHAPE, SOFTMAX.
 */
final class LayerKernels {

    private LayerKernels() {}

    static void register(Map<Integer, KernelSpec> m) {
    }
}
