package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.BuiltinOperator;
import java.util.Map;

/**
 * Element-wise, shape and sequence operators: QUANTIZE, DEQUANTIZE, ADD, MUL, SUB, LOGISTIC, TANH,
 * RELU, RELU6, LEAKY_RELU, CONCATENATION, PAD, PADV2, MEAN, SVDF. Each is registered with the
 * newest operator version whose semantics it implements; within a version, types it does not
 * implement are refused at load time.
 */
final class ElementwiseKernels {

    private ElementwiseKernels() {}

    static void register(Map<Integer, KernelSpec> m) {
        KernelRegistry.add(m, BuiltinOperator.QUANTIZE, 2, Quantize::prepare);
        KernelRegistry.add(m, BuiltinOperator.DEQUANTIZE, 3, Dequantize::prepare);
        KernelRegistry.add(m, BuiltinOperator.ADD, 4, Arithmetic::add);
        KernelRegistry.add(m, BuiltinOperator.SUB, 5, Arithmetic::sub);
        KernelRegistry.add(m, BuiltinOperator.MUL, 5, Arithmetic::mul);
        KernelRegistry.add(m, BuiltinOperator.LOGISTIC, 3, TanhLogistic::logistic);
        KernelRegistry.add(m, BuiltinOperator.TANH, 3, TanhLogistic::tanh);
        KernelRegistry.add(m, BuiltinOperator.RELU, 3, Relu::relu);
        KernelRegistry.add(m, BuiltinOperator.RELU6, 3, Relu::relu6);
        KernelRegistry.add(m, BuiltinOperator.LEAKY_RELU, 2, Relu::leakyRelu);
        KernelRegistry.add(m, BuiltinOperator.CONCATENATION, 3, Concatenation::prepare);
        KernelRegistry.add(m, BuiltinOperator.PAD, 4, Pad::pad);
        KernelRegistry.add(m, BuiltinOperator.PADV2, 4, Pad::padV2);
        KernelRegistry.add(m, BuiltinOperator.MEAN, 3, Mean::prepare);
        KernelRegistry.add(m, BuiltinOperator.SVDF, 3, Svdf::prepare);
    }
}
