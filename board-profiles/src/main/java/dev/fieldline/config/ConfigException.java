package dev.fieldline.config;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A configuration or profile file was refused. The message names the file, the line (1-based,
 * when known) and the key path, e.g. {@code agent.yaml:7: reconnect.max: expected a duration}.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a document was refused, in a countable form. */
    public enum Reason {
        /** The file, resource or stock name does not exist. */
        NOT_FOUND,
        /** The file exists but could not be read, or is too large. */
        UNREADABLE,
        /** The text is not well-formed YAML. */
        SYNTAX,
        /** A required key is absent. */
        MISSING_KEY,
        /** A key that this document does not define (usually a typo). */
        UNKNOWN_KEY,
        /** A key occurs twice in one map. */
        DUPLICATE_KEY,
        /** A value has the wrong type (e.g. text where a number belongs). */
        WRONG_TYPE,
        /** A value has the right type but is outside its allowed range or set. */
        INVALID_VALUE
    }

    private final Reason reason;
    private final String source;
    private final int line;
    private final String path;
    private final String problem;
    private final List<ConfigException> problems;

    public ConfigException(Reason reason, String source, int line, String path, String problem) {
        super(format(source, line, path, problem));
        this.reason = reason;
        this.source = source;
        this.line = line;
        this.path = path;
        this.problem = problem;
        this.problems = List.of(this);
    }

    private ConfigException(ConfigException first, List<ConfigException> all) {
        super(String.join("\n", all.stream().map(Throwable::getMessage).toList()));
        this.reason = first.reason;
        this.source = first.source;
        this.line = first.line;
        this.path = first.path;
        this.problem = first.problem;
        List<ConfigException> flat = new ArrayList<>();
        for (ConfigException e : all) {
            flat.addAll(e.problems());
        }
        this.problems = List.copyOf(flat);
    }

    /**
     * One exception for several problems found in one document: reason, location and problem are
     * the first one's, the message lists every problem on its own line, and {@link #problems()}
     * returns them all.
     */
    public static ConfigException of(List<ConfigException> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("problems must not be empty");
        }
        return problems.size() == 1 ? problems.get(0) : new ConfigException(problems.get(0), problems);
    }

    public ConfigException(Reason reason, String source, int line, String path, String problem, Throwable cause) {
        this(reason, source, line, path, problem);
        initCause(cause);
    }

    private static String format(String source, int line, String path, String problem) {
        StringBuilder b = new StringBuilder(source);
        if (line > 0) {
            b.append(':').append(line);
        }
        b.append(": ");
        if (!path.isEmpty()) {
            b.append(path).append(": ");
        }
        return b.append(problem).toString();
    }

    public Reason reason() {
        return reason;
    }

    /** The file name or resource the document came from. */
    public String source() {
        return source;
    }

    /** The 1-based line of the offending node, if known. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The dotted key path of the offending node, e.g. {@code sensors.temperature.channel}; "" for the root. */
    public String path() {
        return path;
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }

    /** Every problem this exception stands for, in document order (just itself for a single one). */
    public List<ConfigException> problems() {
        return problems;
    }
}
