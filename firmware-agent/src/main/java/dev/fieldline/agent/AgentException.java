package dev.fieldline.agent;

/** Root of the errors the agent raises; {@link #reason()} says what failed in a countable form. */
public class AgentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What failed. */
    public enum Reason {
        /** The configuration is incomplete or inconsistent. */
        INVALID_CONFIG,
        /** The board profile names a platform no HAL provider drives, or cannot be loaded. */
        UNKNOWN_BOARD,
        /** The data directory (boot counter) cannot be read or written. */
        STORAGE,
        /** An uplink could not be created (bad URI, transport library refused its settings). */
        UPLINK,
        /** The device key cannot be created or loaded, or is exposed to other users. */
        IDENTITY,
        /** The agent has no credentials and could not enroll with the gateway. */
        ENROLLMENT,
        /** A model of the board profile cannot be loaded, or not on the engine it asks for. */
        MODEL,
        /** A HAL provider the board profile chose could not start (a missing device, library or permission). */
        HARDWARE
    }

    private final Reason reason;

    public AgentException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public AgentException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
