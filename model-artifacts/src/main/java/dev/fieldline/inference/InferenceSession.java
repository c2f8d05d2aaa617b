package dev.fieldline.inference;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One loaded model on one engine. Not thread-safe: one thread invokes it at a time. Data crosses as
 * raw little-endian tensor bytes (quantised tensors hold their integers, not dequantised values),
 * the same on every engine, so results compare byte for byte.
 */
public interface InferenceSession extends AutoCloseable {

    /** The engine's name ({@code micro}, {@code tflite}, {@code tflite-javacpp}). */
    String engine();

    List<TensorSpec> inputs();

    List<TensorSpec> outputs();

    /**
     * The buffer to write input {@code i} into before {@link #invoke()}: little-endian, positioned at
     * 0, capacity exactly the tensor's byte size. The same buffer is returned on every call.
     */
    ByteBuffer input(int i);

    /** Runs the model once on the current inputs. */
    void invoke();

    /**
     * Output {@code i} of the last invocation: little-endian, positioned at 0, limit the tensor's byte
     * size. Valid until the next {@link #invoke()}. The same buffer is returned on every call.
     */
    ByteBuffer output(int i);

    /** Resets variable (state) tensors as TensorFlow Lite does: int8 to the zero point, others to 0. */
    void resetVariableTensors();

    @Override
    void close();
}
