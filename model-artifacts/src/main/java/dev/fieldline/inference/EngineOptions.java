package dev.fieldline.inference;

/**
 * Options common to all engines.
 *
 * @param threads CPU threads an engine may use (native engines; the interpreter uses the caller's)
 * @param preserveAllTensors keep every intermediate tensor readable after invoke (debugging and
 *     conformance probes; costs memory because nothing shares arena space)
 */
public record EngineOptions(int threads, boolean preserveAllTensors) {

    public static final EngineOptions DEFAULT = new EngineOptions(1, false);

    public EngineOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
    }
}
