package dev.fieldline.tflite.writer;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.micro.kernels.Activation;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The builtin options table of an operator (schema union {@code BuiltinOptions}), for the operators
 * Fieldline writes. Each record carries the schema fields by name; {@link #unionType()} is the
 * union's type code. Fields are written only when they differ from the schema default, as the
 * TensorFlow Lite converter does, so readers see the same defaults as in converter output.
 */
public sealed interface BuiltinOptions {

    /** The schema's {@code BuiltinOptions} union type code (1-based; 0 means none). */
    int unionType();

    /** Operators without an options table (LOGISTIC, TANH, RELU, RELU6). */
    None NONE = new None();

    /** No options table. */
    record None() implements BuiltinOptions {
        @Override
        public int unionType() {
            return 0;
        }
    }

    /** CONV_2D ({@code Conv2DOptions}). */
    record Conv2D(Padding padding, int strideW, int strideH, Activation activation, int dilationW, int dilationH)
            implements BuiltinOptions {
        public Conv2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
            positive(strideW, "strideW");
            positive(strideH, "strideH");
            positive(dilationW, "dilationW");
            positive(dilationH, "dilationH");
        }

        @Override
        public int unionType() {
            return 1;
        }
    }

    /** DEPTHWISE_CONV_2D ({@code DepthwiseConv2DOptions}). */
    record DepthwiseConv2D(Padding padding, int strideW, int strideH, int depthMultiplier, Activation activation,
            int dilationW, int dilationH) implements BuiltinOptions {
        public DepthwiseConv2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
            positive(strideW, "strideW");
            positive(strideH, "strideH");
            positive(depthMultiplier, "depthMultiplier");
            positive(dilationW, "dilationW");
            positive(dilationH, "dilationH");
        }

        @Override
        public int unionType() {
            return 2;
        }
    }

    /** AVERAGE_POOL_2D and MAX_POOL_2D ({@code Pool2DOptions}). */
    record Pool2D(Padding padding, int strideW, int strideH, int filterW, int filterH, Activation activation)
            implements BuiltinOptions {
        public Pool2D {
            Objects.requireNonNull(padding, "padding");
            Objects.requireNonNull(activation, "activation");
            positive(strideW, "strideW");
            positive(strideH, "strideH");
            positive(filterW, "filterW");
            positive(filterH, "filterH");
        }

        @Override
        public int unionType() {
            return 5;
        }
    }

    /** SVDF ({@code SVDFOptions}). */
    record Svdf(int rank, Activation activation, boolean asymmetricQuantizeInputs) implements BuiltinOptions {
        public Svdf {
            Objects.requireNonNull(activation, "activation");
            positive(rank, "rank");
        }

        @Override
        public int unionType() {
            return 6;
        }
    }

    /** FULLY_CONNECTED ({@code FullyConnectedOptions}, default weights format). */
    record FullyConnected(Activation activation, boolean keepNumDims, boolean asymmetricQuantizeInputs)
            implements BuiltinOptions {
        public FullyConnected {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public int unionType() {
            return 8;
        }
    }

    /** SOFTMAX ({@code SoftmaxOptions}). */
    record Softmax(float beta) implements BuiltinOptions {
        @Override
        public int unionType() {
            return 9;
        }
    }

    /** CONCATENATION ({@code ConcatenationOptions}). */
    record Concatenation(int axis, Activation activation) implements BuiltinOptions {
        public Concatenation {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public int unionType() {
            return 10;
        }
    }

    /** ADD ({@code AddOptions}); {@code potScaleInt16} defaults to true in the schema. */
    record Add(Activation activation, boolean potScaleInt16) implements BuiltinOptions {
        public Add {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public int unionType() {
            return 11;
        }
    }

    /** RESHAPE ({@code ReshapeOptions}); the new shape may instead come from a second input tensor. */
    record Reshape(Optional<int[]> newShape) implements BuiltinOptions {
        public Reshape {
            newShape = newShape.map(int[]::clone);
        }

        @Override
        public Optional<int[]> newShape() {
            return newShape.map(int[]::clone);
        }

        @Override
        public int unionType() {
            return 17;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Reshape r && newShape.isPresent() == r.newShape.isPresent()
                    && (newShape.isEmpty() || Arrays.equals(newShape.get(), r.newShape.get()));
        }

        @Override
        public int hashCode() {
            return newShape.map(Arrays::hashCode).orElse(0);
        }

        @Override
        public String toString() {
            return "Reshape[newShape=" + newShape.map(Arrays::toString).orElse("absent") + "]";
        }
    }

    /** MUL ({@code MulOptions}). */
    record Mul(Activation activation) implements BuiltinOptions {
        public Mul {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public int unionType() {
            return 21;
        }
    }

    /** PAD ({@code PadOptions}, no fields). */
    record Pad() implements BuiltinOptions {
        @Override
        public int unionType() {
            return 22;
        }
    }

    /** MEAN and the other reductions ({@code ReducerOptions}). */
    record Reducer(boolean keepDims) implements BuiltinOptions {
        @Override
        public int unionType() {
            return 27;
        }
    }

    /** SUB ({@code SubOptions}); {@code potScaleInt16} defaults to true in the schema. */
    record Sub(Activation activation, boolean potScaleInt16) implements BuiltinOptions {
        public Sub {
            Objects.requireNonNull(activation, "activation");
        }

        @Override
        public int unionType() {
            return 28;
        }
    }

    /** DEQUANTIZE ({@code DequantizeOptions}, no fields). */
    record Dequantize() implements BuiltinOptions {
        @Override
        public int unionType() {
            return 38;
        }
    }

    /** LEAKY_RELU ({@code LeakyReluOptions}). */
    record LeakyRelu(float alpha) implements BuiltinOptions {
        @Override
        public int unionType() {
            return 75;
        }
    }

    /** QUANTIZE ({@code QuantizeOptions}, no fields). */
    record Quantize() implements BuiltinOptions {
        @Override
        public int unionType() {
            return 89;
        }
    }

    /**
     * The options type the converter writes for a builtin operator, or empty when this writer does
     * not know the operator (then any options are accepted).
     */
    static Optional<Class<? extends BuiltinOptions>> expectedFor(int builtinCode) {
        Class<? extends BuiltinOptions> c = switch (builtinCode) {
            case BuiltinOperator.CONV_2D -> Conv2D.class;
            case BuiltinOperator.DEPTHWISE_CONV_2D -> DepthwiseConv2D.class;
            case BuiltinOperator.AVERAGE_POOL_2D, BuiltinOperator.MAX_POOL_2D -> Pool2D.class;
            case BuiltinOperator.SVDF -> Svdf.class;
            case BuiltinOperator.FULLY_CONNECTED -> FullyConnected.class;
            case BuiltinOperator.SOFTMAX -> Softmax.class;
            case BuiltinOperator.CONCATENATION -> Concatenation.class;
            case BuiltinOperator.ADD -> Add.class;
            case BuiltinOperator.RESHAPE -> Reshape.class;
            case BuiltinOperator.MUL -> Mul.class;
            case BuiltinOperator.PAD -> Pad.class;
            case BuiltinOperator.MEAN -> Reducer.class;
            case BuiltinOperator.SUB -> Sub.class;
            case BuiltinOperator.DEQUANTIZE -> Dequantize.class;
            case BuiltinOperator.LEAKY_RELU -> LeakyRelu.class;
            case BuiltinOperator.QUANTIZE -> Quantize.class;
            case BuiltinOperator.LOGISTIC, BuiltinOperator.TANH, BuiltinOperator.RELU, BuiltinOperator.RELU6 -> None.class;
            default -> null;
        };
        return Optional.ofNullable(c);
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, was " + v);
        }
    }
}
