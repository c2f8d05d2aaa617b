package dev.fieldline.training;

import java.util.Arrays;

/**
 * Examples and their targets, float32, one after the other: {@code inputs} holds
 * {@code count × inputSize} values, {@code targets} {@code count × targetSize}. For classification
 * the targets are one-hot ({@link #classification}) and {@link #label(int)} gives the class.
 *
 * @param inputs the examples' inputs
 * @param inputSize values per example
 * @param targets the examples' targets
 * @param targetSize values per target
 */
public record Dataset(float[] inputs, int inputSize, float[] targets, int targetSize) {

    public Dataset {
        if (inputSize < 1 || targetSize < 1) {
            throw new IllegalArgumentException("inputSize and targetSize must be positive");
        }
        if (inputs.length % inputSize != 0 || targets.length % targetSize != 0
                || inputs.length / inputSize != targets.length / targetSize) {
            throw new IllegalArgumentException("inputs (" + inputs.length + " / " + inputSize + ") and targets ("
                    + targets.length + " / " + targetSize + ") do not hold the same number of examples");
        }
    }

    /** A classification set: each label in {@code 0..classes-1} becomes a one-hot target. */
    public static Dataset classification(float[] inputs, int inputSize, int[] labels, int classes) {
        float[] t = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + i + " is " + labels[i] + ", not in 0.." + (classes - 1));
            }
            t[i * classes + labels[i]] = 1f;
        }
        return new Dataset(inputs, inputSize, t, classes);
    }

    public int count() {
        return inputs.length / inputSize;
    }

    /** The class of example {@code i}: the index of its largest target value. */
    public int label(int i) {
        return argmax(targets, i * targetSize, targetSize);
    }

    /** Example {@code i}'s inputs, a copy. */
    public float[] input(int i) {
        return Arrays.copyOfRange(inputs, i * inputSize, (i + 1) * inputSize);
    }

    /** The examples {@code from..to-1}. */
    public Dataset slice(int from, int to) {
        return new Dataset(Arrays.copyOfRange(inputs, from * inputSize, to * inputSize), inputSize,
                Arrays.copyOfRange(targets, from * targetSize, to * targetSize), targetSize);
    }

    /** Index of the largest of {@code v[from..from+width)}; the first one on ties. */
    public static int argmax(float[] v, int from, int width) {
        int best = 0;
        for (int k = 1; k < width; k++) {
            if (v[from + k] > v[from + best]) {
                best = k;
            }
        }
        return best;
    }
}
