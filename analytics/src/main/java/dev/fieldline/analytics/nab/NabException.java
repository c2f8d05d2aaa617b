package dev.fieldline.analytics.nab;

/**
 * What goes wrong reading a series or the NAB corpus: the root exception of this package, with a
 * reason code and, for a series, the line (1-based) where the problem is ({@code 0} when the
 * problem is not on one line).
 */
public class NabException extends RuntimeException {
    /** Why the input was refused. */
    public enum Reason {
        /** the first line is not {@code timestamp,value} */
        HEADER,
        /** a line is longer than the limit */
        LINE_TOO_LONG,
        /** more rows than the limit */
        TOO_MANY_ROWS,
        /** a line without exactly two comma-separated fields, or a blank line */
        FIELDS,
        /** a timestamp not in the form {@code yyyy-MM-dd HH:mm:ss} */
        TIMESTAMP,
        /** a value that is blank, not a decimal number, or not finite */
        VALUE,
        /** the series has no rows */
        EMPTY,
        /** the input is not valid UTF-8 text or could not be read */
        IO,
        /** the corpus directory, its labels, profiles or results are missing or malformed */
        CORPUS
    }

    private final Reason reason;
    private final long line;

    public NabException(Reason reason, long line, String message) {
        super(line > 0 ? "line " + line + ": " + message : message);
        this.reason = reason;
        this.line = line;
    }

    public NabException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.line = 0;
    }

    public Reason reason() {
        return reason;
    }

    /** The 1-based line of the problem, or 0. */
    public long line() {
        return line;
    }
}
