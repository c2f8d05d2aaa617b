package dev.fieldline.agent.inference;

import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.SoftmaxCrossEntropy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Model output to a classification: dequantise ({@code scale × (q - zeroPoint)}), softmax when the
 * model does not end in one, then the most probable class and its probability.
 */
public final class Postprocessing {

    private Postprocessing() {
    }

    /** An output's values as floats (dequantised when quantised). */
    public static float[] dequantize(TensorSpec spec, ByteBuffer output) {
        ByteBuffer b = output.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = spec.elementCount();
        float[] out = new float[n];
        Quantization q = spec.quantization();
        for (int i = 0; i < n; i++) {
            long raw = switch (spec.type()) {
                case FLOAT32 -> 0;
                case INT8 -> b.get(i);
                case UINT8 -> b.get(i) & 0xff;
                case INT16 -> b.getShort(2 * i);
                case INT32 -> b.getInt(4 * i);
                default -> throw new IllegalArgumentException("cannot read an output of type " + spec.type().dtype());
            };
            if (spec.type() == dev.fieldline.tflite.TensorType.FLOAT32) {
                out[i] = b.getFloat(4 * i);
            } else {
                out[i] = q.isQuantized() ? (float) (q.scale(0) * (double) (raw - q.zeroPoint(0))) : raw;
            }
        }
        return out;
    }

    /** Softmax in place (numerically stable; the training library's, so training and device agree). */
    public static void softmax(float[] z) {
        SoftmaxCrossEntropy.softmax(z, 0, z.length, z, 0);
    }

    /** Index of the largest value (the first on ties). */
    public static int argmax(float[] v) {
        return Dataset.argmax(v, 0, v.length);
    }

    /**
     * The classification of an output: dequantised, soft-maxed unless {@code endsInSoftmax}, and
     * labelled.
     */
    public static Classification classify(TensorSpec spec, ByteBuffer output, boolean endsInSoftmax,
            java.util.List<String> labels) {
        float[] p = dequantize(spec, output);
        if (!endsInSoftmax) {
            softmax(p);
        }
        int k = argmax(p);
        return new Classification(k, k < labels.size() ? labels.get(k) : "class_" + k, p[k], p);
    }

    /**
     * A classification.
     *
     * @param index the most probable class
     * @param label its label
     * @param confidence its probability
     * @param probabilities every class's probability
     */
    public record Classification(int index, String label, float confidence, float[] probabilities) {
        public Classification {
            probabilities = probabilities.clone();
        }

        @Override
        public float[] probabilities() {
            return probabilities.clone();
        }
    }
}
