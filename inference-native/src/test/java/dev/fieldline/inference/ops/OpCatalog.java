package dev.fieldline.inference.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;

/** Every operator of issue 4 and its case generator. */
final class OpCatalog {

    private OpCatalog() {}

    static final Map<String, LongFunction<OpCase>> GENERATORS = new LinkedHashMap<>();

    static {
        GENERATORS.put("FULLY_CONNECTED", LayerOpCases::fullyConnected);
        GENERATORS.put("CONV_2D", LayerOpCases::conv2d);
        GENERATORS.put("DEPTHWISE_CONV_2D", LayerOpCases::depthwiseConv2d);
        GENERATORS.put("AVERAGE_POOL_2D", LayerOpCases::averagePool);
        GENERATORS.put("MAX_POOL_2D", LayerOpCases::maxPool);
        GENERATORS.put("RESHAPE", LayerOpCases::reshape);
        GENERATORS.put("SOFTMAX", LayerOpCases::softmax);
        GENERATORS.put("QUANTIZE", ElementwiseOpCases::quantize);
        GENERATORS.put("DEQUANTIZE", ElementwiseOpCases::dequantize);
        GENERATORS.put("ADD", ElementwiseOpCases::add);
        GENERATORS.put("MUL", ElementwiseOpCases::mul);
        GENERATORS.put("SUB", ElementwiseOpCases::sub);
        GENERATORS.put("LOGISTIC", ElementwiseOpCases::logistic);
        GENERATORS.put("TANH", ElementwiseOpCases::tanh);
        GENERATORS.put("RELU", ElementwiseOpCases::relu);
        GENERATORS.put("RELU6", ElementwiseOpCases::relu6);
        GENERATORS.put("LEAKY_RELU", ElementwiseOpCases::leakyRelu);
        GENERATORS.put("CONCATENATION", ElementwiseOpCases::concatenation);
        GENERATORS.put("PAD", ElementwiseOpCases::pad);
        GENERATORS.put("MEAN", ElementwiseOpCases::mean);
        GENERATORS.put("SVDF", ElementwiseOpCases::svdf);
    }

    /** The seed of case {@code i} of an operator: fixed, so every run draws the same cases. */
    static long seed(String op, int i) {
        return 0x5EEDF1E1DL ^ (op.hashCode() * 0x9E3779B97F4A7C15L) + i;
    }
}
