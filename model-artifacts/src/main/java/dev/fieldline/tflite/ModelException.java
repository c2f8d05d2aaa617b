package dev.fieldline.tflite;

import java.util.Optional;

/**
 * A model that cannot be run: malformed, inconsistent or unsupported. Raised at load time, never
 * during inference. The message names the operator (index, name, version) and the tensor where
 * there is one, so that a user can find the culprit in a model viewer.
 */
public class ModelException extends RuntimeException {

    /** What kind of problem it is. */
    public enum Reason {
        /** The bytes are not a well-formed TFLite flatbuffer (bounds, offsets, identifier). */
        MALFORMED,
        /** Well formed, but inconsistent (shapes, buffer sizes, quantisation parameters). */
        INVALID,
        /** Valid TFLite that this engine does not implement (operator, version, type). */
        UNSUPPORTED,
        /** Larger than the configured limit. */
        TOO_LARGE
    }

    private final Reason reason;
    private final int operatorIndex;
    private final int tensorIndex;

    public ModelException(Reason reason, String message) {
        this(reason, message, -1, -1, null);
    }

    public ModelException(Reason reason, String message, int operatorIndex, int tensorIndex, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.operatorIndex = operatorIndex;
        this.tensorIndex = tensorIndex;
    }

    public Reason reason() {
        return reason;
    }

    /** Index of the operator concerned, if any. */
    public Optional<Integer> operatorIndex() {
        return operatorIndex < 0 ? Optional.empty() : Optional.of(operatorIndex);
    }

    /** Index of the tensor concerned, if any. */
    public Optional<Integer> tensorIndex() {
        return tensorIndex < 0 ? Optional.empty() : Optional.of(tensorIndex);
    }

    static ModelException malformed(String message) {
        return new ModelException(Reason.MALFORMED, message);
    }
}
