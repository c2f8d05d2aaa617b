package dev.fieldline.inference;

/** A requested engine cannot run on this machine (missing library, unsupported platform). */
public class EngineUnavailableException extends RuntimeException {

    private final String engine;

    public EngineUnavailableException(String engine, String message) {
        super(message);
        this.engine = engine;
    }

    public EngineUnavailableException(String engine, String message, Throwable cause) {
        super(message, cause);
        this.engine = engine;
    }

    public String engine() {
        return engine;
    }
}
