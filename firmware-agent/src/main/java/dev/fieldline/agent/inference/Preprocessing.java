package dev.fieldline.agent.inference;

import dev.fieldline.boards.ModelSpec.Normalisation;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.Quantization;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw values to model input: resize (images, to the model's input size), normalise
 * ({@code (x - offset)/scale}, clipped), and write into the input tensor, quantised with its scale
 * and zero point when it is an integer tensor ({@code q = round(v/scale) + zeroPoint}, rounding half
 * away from zero and saturating, as TensorFlow Lite's QUANTIZE does).
 */
public final class Preprocessing {

    private Preprocessing() {
    }

    /** Normalises {@code n} values into {@code out}; the offset is their mean when the normalisation says so. */
    public static void normalise(double[] values, int n, Normalisation norm, float[] out) {
        double offset;
        if (norm.offset().isPresent()) {
            offset = norm.offset().getAsDouble();
        } else {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += values[i];
            }
            offset = sum / n;
        }
        double clip = norm.clip().orElse(Double.POSITIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            double v = (values[i] - offset) / norm.scale();
            out[i] = (float) Math.max(-clip, Math.min(clip, v));
        }
    }

    /**
     * Resizes a frame to {@code height × width × channels} (bilinear, half-pixel centres: an image of
     * the right size passes unchanged) and returns its samples as doubles, row-major. Grey frames are
     * repeated into colour channels; colour frames become grey as {@code 0.299R + 0.587G + 0.114B}.
     */
    public static double[] resize(Frame f, int height, int width, int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("the model's input has " + channels + " channels; frames give 1 or 3");
        }
        double[] out = new double[height * width * channels];
        double sy = f.height() / (double) height;
        double sx = f.width() / (double) width;
        for (int y = 0; y < height; y++) {
            double fy = Math.max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.min((int) fy, f.height() - 1);
            int y1 = Math.min(y0 + 1, f.height() - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++) {
                double fx = Math.max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.min((int) fx, f.width() - 1);
                int x1 = Math.min(x0 + 1, f.width() - 1);
                double wx = fx - x0;
                for (int c = 0; c < channels; c++) {
                    double top = sample(f, x0, y0, c, channels) * (1 - wx) + sample(f, x1, y0, c, channels) * wx;
                    double bottom = sample(f, x0, y1, c, channels) * (1 - wx) + sample(f, x1, y1, c, channels) * wx;
                    out[(y * width + x) * channels + c] = top * (1 - wy) + bottom * wy;
                }
            }
        }
        return out;
    }

    private static double sample(Frame f, int x, int y, int c, int wanted) {
        if (f.channels() == wanted) {
            return f.at(x, y, c);
        }
        if (f.channels() == 1) {
            return f.at(x, y, 0);
        }
        return 0.299 * f.at(x, y, 0) + 0.587 * f.at(x, y, 1) + 0.114 * f.at(x, y, 2);
    }

    /**
     * Writes {@code n} normalised values into an input buffer of the tensor's type: float32 as is,
     * int8/uint8/int16 quantised with the tensor's (per-tensor) scale and zero point.
     *
     * @throws IllegalArgumentException for a count or type the tensor cannot take
     */
    public static void write(float[] values, int n, TensorSpec spec, ByteBuffer input) {
        if (n != spec.elementCount()) {
            throw new IllegalArgumentException(n + " values for an input of " + spec.elementCount());
        }
        ByteBuffer b = input.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.clear();
        switch (spec.type()) {
            case FLOAT32 -> {
                for (int i = 0; i < n; i++) {
                    b.putFloat(values[i]);
                }
            }
            case INT8 -> {
                for (int i = 0; i < n; i++) {
                    b.put((byte) quantize(values[i], spec.quantization(), -128, 127));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < n; i++) {
                    b.put((byte) quantize(values[i], spec.quantization(), 0, 255));
                }
            }
            case INT16 -> {
                for (int i = 0; i < n; i++) {
                    b.putShort((short) quantize(values[i], spec.quantization(), -32768, 32767));
                }
            }
            default -> throw new IllegalArgumentException("cannot feed an input of type " + spec.type().dtype());
        }
    }

    /** {@code clamp(round(v / scale) + zeroPoint)}, rounding half away from zero. */
    public static int quantize(float v, Quantization q, int min, int max) {
        if (!q.isQuantized()) {
            throw new IllegalArgumentException("an integer input needs quantisation parameters");
        }
        double r = v / (double) q.scale(0);
        double rounded = r >= 0 ? Math.floor(r + 0.5) : -Math.floor(-r + 0.5);
        double qv = rounded + q.zeroPoint(0);
        return (int) Math.max(min, Math.min(max, qv));
    }
}
