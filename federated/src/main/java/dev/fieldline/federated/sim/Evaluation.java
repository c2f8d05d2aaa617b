package dev.fieldline.federated.sim;

import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.SoftmaxCrossEntropy;

/**
 * A classifier's accuracy and mean softmax cross-entropy on a labelled set. The sums run over fixed chunks in
 * order, so splitting the work over threads chunk by chunk gives the same figures.
 *
 * @param accuracy fraction of examples whose largest output is at their label
 * @param loss mean of {@code -log softmax(output)[label]}
 */
public record Evaluation(double accuracy, double loss) {

    /** Examples per chunk. */
    static final int CHUNK = 500;

    public static Evaluation of(Sequential model, Dataset data) {
        double correct = 0;
        double loss = 0;
        for (int from = 0; from < data.count(); from += CHUNK) {
            double[] s = sums(model, data, from, Math.min(data.count(), from + CHUNK));
            correct += s[0];
            loss += s[1];
        }
        return new Evaluation(correct / data.count(), loss / data.count());
    }

    /** {correct, summed loss} over examples {@code from..to-1}. */
    static double[] sums(Sequential model, Dataset data, int from, int to) {
        int in = data.inputSize();
        int out = data.targetSize();
        int count = to - from;
        float[] x = new float[count * in];
        System.arraycopy(data.inputs(), from * in, x, 0, x.length);
        float[] y = model.predict(x, count, 100);
        float[] p = new float[out];
        double correct = 0;
        double loss = 0;
        for (int i = 0; i < count; i++) {
            int label = data.label(from + i);
            if (Dataset.argmax(y, i * out, out) == label) {
                correct++;
            }
            SoftmaxCrossEntropy.softmax(y, i * out, out, p, 0);
            loss -= StrictMath.log(Math.max(p[label], 1e-30f));
        }
        return new double[] {correct, loss};
    }
}
