package dev.fieldline.inference;

import dev.fieldline.tflite.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Optional;

/**
 * Self-test vectors of a delivered model: raw little-endian bytes of input 0 and the output 0 they
 * must give. The gateway {@link #record records} the outputs on the micro interpreter when it
 * publishes a model; the device {@link #check checks} them on its engine before it takes the model
 * into use. Float outputs may differ by the tolerance, quantised ones by one step (engines round
 * differently).
 */
public final class SelfTest {
    private SelfTest() {
    }

    /** Runs one input and returns a copy of output 0. @throws IllegalArgumentException if the input has the wrong size */
    public static byte[] record(InferenceSession session, byte[] input) {
        ByteBuffer in = session.input(0);
        if (input.length != in.capacity()) {
            throw new IllegalArgumentException("the input is " + input.length + " bytes, the model's input 0 takes " + in.capacity());
        }
        in.clear();
        in.put(input);
        in.flip();
        session.invoke();
        ByteBuffer out = session.output(0).duplicate();
        byte[] copy = new byte[out.remaining()];
        out.get(copy);
        return copy;
    }

    /**
     * Runs one vector; empty when output 0 matches {@code expected}, else what differs first.
     *
     * @param tolerance the largest absolute difference accepted in a float32 output
     */
    public static Optional<String> check(InferenceSession session, byte[] input, byte[] expected, double tolerance) {
        if (input.length != session.input(0).capacity()) {
            return Optional.of("the vector's input is " + input.length + " bytes, the model's input 0 takes "
                    + session.input(0).capacity());
        }
        byte[] actual = record(session, input);
        if (actual.length != expected.length) {
            return Optional.of("output 0 is " + actual.length + " bytes, the vector expects " + expected.length);
        }
        TensorType type = session.outputs().get(0).type();
        ByteBuffer a = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer e = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        int n = actual.length / type.bytes();
        for (int i = 0; i < n; i++) {
            if (type == TensorType.FLOAT32) {
                float x = a.getFloat(i * 4);
                float y = e.getFloat(i * 4);
                if (!(Math.abs(x - y) <= tolerance)) {
                    return Optional.of(String.format(Locale.ROOT, "output[%d] is %.6g, expected %.6g (tolerance %.3g)", i, x, y, tolerance));
                }
            } else {
                long x = integer(a, i, type);
                long y = integer(e, i, type);
                if (Math.abs(x - y) > 1) {
                    return Optional.of("output[" + i + "] is " + x + ", expected " + y + " (one step allowed)");
                }
            }
        }
        return Optional.empty();
    }

    private static long integer(ByteBuffer b, int i, TensorType type) {
        return switch (type) {
            case INT8 -> b.get(i);
            case UINT8 -> b.get(i) & 0xff;
            case INT16 -> b.getShort(i * 2);
            case UINT16 -> b.getShort(i * 2) & 0xffff;
            case INT32 -> b.getInt(i * 4);
            case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
            default -> throw new IllegalArgumentException("self-tests compare float32 and integer outputs, not " + type.dtype());
        };
    }
}
