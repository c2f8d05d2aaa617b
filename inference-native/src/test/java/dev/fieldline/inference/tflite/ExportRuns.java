package dev.fieldline.inference.tflite;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.TfliteExport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Runs files written by {@link TfliteExport} on an engine over many examples, and compares the results. */
final class ExportRuns {

    private ExportRuns() {
    }

    /**
     * What one engine gave for one file: the outputs of every example ({@code floats}, dequantised for
     * int8 files) and, for int8 files, the raw output bytes ({@code bytes}, else empty).
     */
    record Run(float[] floats, byte[] bytes) {}

    /**
     * Runs {@code count} examples of {@code inputs} (float, in the model's input domain) through one
     * session; int8 files get them quantised with the file's input parameters.
     */
    static Run run(InferenceEngine engine, TfliteModel model, float[] inputs, int count, boolean int8) {
        try (InferenceSession s = engine.open(model, EngineOptions.DEFAULT)) {
            int in = s.inputs().get(0).elementCount();
            int out = s.outputs().get(0).elementCount();
            float[] floats = new float[count * out];
            byte[] raw = new byte[int8 ? count * out : 0];
            TfliteExport.QuantParams inQ = int8 ? params(s.inputs().get(0).quantization()) : null;
            TfliteExport.QuantParams outQ = int8 ? params(s.outputs().get(0).quantization()) : null;
            for (int n = 0; n < count; n++) {
                ByteBuffer ib = s.input(0).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < in; i++) {
                    float v = inputs[n * in + i];
                    if (int8) {
                        ib.put(i, inQ.quantize(v));
                    } else {
                        ib.putFloat(4 * i, v);
                    }
                }
                s.invoke();
                ByteBuffer ob = s.output(0).order(ByteOrder.LITTLE_ENDIAN);
                for (int k = 0; k < out; k++) {
                    if (int8) {
                        raw[n * out + k] = ob.get(k);
                        floats[n * out + k] = outQ.dequantize(ob.get(k));
                    } else {
                        floats[n * out + k] = ob.getFloat(4 * k);
                    }
                }
            }
            return new Run(floats, raw);
        }
    }

    static TfliteExport.QuantParams params(Quantization q) {
        return new TfliteExport.QuantParams(q.scale(0), (int) q.zeroPoint(0));
    }

    static double accuracy(float[] logits, int width, int[] labels, int count) {
        int right = 0;
        for (int n = 0; n < count; n++) {
            if (Dataset.argmax(logits, n * width, width) == labels[n]) {
                right++;
            }
        }
        return right / (double) count;
    }

    static int argmaxDisagreements(float[] a, float[] b, int width) {
        int d = 0;
        for (int n = 0; n < a.length / width; n++) {
            if (Dataset.argmax(a, n * width, width) != Dataset.argmax(b, n * width, width)) {
                d++;
            }
        }
        return d;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        float m = 0f;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static int maxLsbDiff(byte[] a, byte[] b) {
        int m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static int differingBytes(byte[] a, byte[] b) {
        int d = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                d++;
            }
        }
        return d;
    }
}
