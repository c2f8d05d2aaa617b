package dev.fieldline.agent.identity;

import dev.fieldline.agent.AgentException;

/** The device identity cannot be used or obtained; {@link #problem()} says why. Never carries a secret. */
public final class IdentityException extends AgentException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Problem {
        /** The private key file is readable or writable by group or others: the agent refuses to start. */
        KEY_FILE_EXPOSED,
        /** The key or credentials file exists but cannot be parsed, or key and public key disagree. */
        CORRUPT,
        /** The identity directory cannot be created, read or written. */
        STORAGE,
        /** The gateway refused the enrollment (bad, used or expired token, device already enrolled...). */
        ENROLLMENT_REFUSED,
        /** The gateway could not be reached or answered nonsense. */
        ENROLLMENT_FAILED
    }

    private final Problem problem;

    public IdentityException(Problem problem, String message) {
        super(reasonOf(problem), message);
        this.problem = problem;
    }

    public IdentityException(Problem problem, String message, Throwable cause) {
        super(reasonOf(problem), message, cause);
        this.problem = problem;
    }

    private static Reason reasonOf(Problem p) {
        return p == Problem.ENROLLMENT_REFUSED || p == Problem.ENROLLMENT_FAILED ? Reason.UPLINK : Reason.STORAGE;
    }

    public Problem problem() {
        return problem;
    }
}
