package dev.fieldline.tflite.micro.kernels;

/**
 * The float32 activation operators, element by element: RELU and RELU6 ({@code max(0, x)}, capped),
 * LEAKY_RELU ({@code x > 0 ? x : alpha * x}), LOGISTIC and TANH (evaluated in double and rounded to
 * float; TFLite's Eigen approximations agree to a few ulp).
 */
final class FloatActivation extends UnaryKernel {

    enum Function {
        RELU,
        LEAKY_RELU,
        LOGISTIC,
        TANH
    }

    private final Function function;
    private final float parameter;

    /**
     * @param parameter RELU's upper bound (infinity for RELU, 6 for RELU6) or LEAKY_RELU's alpha
     */
    FloatActivation(TensorView in, TensorView out, Function function, float parameter) {
        super(in, out);
        this.function = function;
        this.parameter = parameter;
    }

    @Override
    void compute(int i) {
        float x = in.getFloat(i);
        float y = switch (function) {
            case RELU -> Activation.clamp(x, 0f, parameter);
            case LEAKY_RELU -> x > 0 ? x : x * parameter;
            case LOGISTIC -> (float) (1.0 / (1.0 + Math.exp(-(double) x)));
            case TANH -> (float) Math.tanh(x);
        };
        out.setFloat(i, y);
    }
}
