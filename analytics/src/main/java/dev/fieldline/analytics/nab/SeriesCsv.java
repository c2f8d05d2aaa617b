package dev.fieldline.analytics.nab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The NAB series format, {@code timestamp,value}: a header line {@code timestamp,value}, then one row
 * per line, timestamps {@code yyyy-MM-dd HH:mm:ss} (UTC), values finite decimal numbers. Rows are
 * taken in file order, as NAB takes them: its files repeat timestamps and one steps back an hour
 * (a clock change), so the decoder does not refuse that; {@link #monotonic} gives detectors a
 * time that never goes back. Line ends LF or CRLF; a final line end is optional; a UTF-8 byte-order mark
 * is skipped. Everything else is refused with a {@link NabException} naming the line and what would
 * be valid. Input of any size is read in bounded memory per line ({@link Limits}).
 *
 * <p>Use {@link #decoder} to stream rows one at a time (the {@code analytics run} input) or
 * {@link #read} for a whole series.
 */
public final class SeriesCsv {
    /** The header every series starts with. */
    public static final String HEADER = "timestamp,value";

    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d{1,3})?");

    /**
     * Size limits.
     *
     * @param maxRows rows after the header
     * @param maxLineLength characters per line, without the line end
     */
    public record Limits(int maxRows, int maxLineLength) {
        /** 10 million rows of at most 256 characters (NAB's longest file has 22,695 rows of under 40). */
        public static final Limits DEFAULT = new Limits(10_000_000, 256);

        public Limits {
            if (maxRows < 1) {
                throw new IllegalArgumentException("maxRows must be at least 1, was " + maxRows);
            }
            if (maxLineLength < HEADER.length()) {
                throw new IllegalArgumentException("maxLineLength must be at least " + HEADER.length() + ", was " + maxLineLength);
            }
        }
    }

    private SeriesCsv() {
    }

    /** Reads a whole series. */
    public static Series read(InputStream in, Limits limits) {
        Decoder d = decoder(in, limits);
        List<String> ts = new ArrayList<>();
        long[] times = new long[1024];
        double[] values = new double[1024];
        int n = 0;
        while (d.next()) {
            if (n == times.length) {
                times = Arrays.copyOf(times, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            ts.add(d.timestamp());
            times[n] = d.timeMillis();
            values[n] = d.value();
            n++;
        }
        return new Series(ts, Arrays.copyOf(times, n), Arrays.copyOf(values, n));
    }

    /** A decoder that reads one row per {@link Decoder#next()}; the header is checked on the first call. */
    public static Decoder decoder(InputStream in, Limits limits) {
        return new Decoder(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), limits);
    }

    /** The time to give a detector for a row: its own, or the previous row's when it steps back. */
    public static long monotonic(long previous, long time) {
        return Math.max(previous, time);
    }

    /** Parses {@code yyyy-MM-dd HH:mm:ss} as UTC epoch milliseconds. */
    public static long parseTimestamp(String text, long line) {
        if (!TIMESTAMP.matcher(text).matches()) {
            throw new NabException(NabException.Reason.TIMESTAMP, line,
                    "timestamp '" + text + "' is not of the form yyyy-MM-dd HH:mm:ss");
        }
        try {
            return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new NabException(NabException.Reason.TIMESTAMP, line, "timestamp '" + text + "' is not a valid date and time");
        }
    }

    /** Streams the rows of one series. Not thread-safe. */
    public static final class Decoder {
        private final Reader in;
        private final Limits limits;
        private final StringBuilder buf = new StringBuilder(64);
        private long line;
        private long rows;
        private boolean eof;
        private String timestamp;
        private long timeMillis;
        private double value;
        private String valueText;

        private Decoder(Reader in, Limits limits) {
            this.in = in instanceof BufferedReader ? in : new BufferedReader(in, 1 << 16);
            this.limits = limits;
        }

        /**
         * Advances to the next row.
         *
         * @return false at the end of the input
         * @throws NabException on the first bad line
         */
        public boolean next() {
            if (line == 0) {
                String h = readLine();
                if (h != null && h.startsWith("\uFEFF")) {
                    h = h.substring(1);
                }
                if (h == null || !h.equals(HEADER)) {
                    throw new NabException(h == null ? NabException.Reason.EMPTY : NabException.Reason.HEADER, 1,
                            h == null ? "empty input; expected the header '" + HEADER + "' and rows"
                                    : "expected the header '" + HEADER + "', found '" + abbreviate(h) + "'");
                }
            }
            String l = readLine();
            if (l == null) {
                if (rows == 0) {
                    throw new NabException(NabException.Reason.EMPTY, line, "no rows after the header");
                }
                return false;
            }
            if (++rows > limits.maxRows()) {
                throw new NabException(NabException.Reason.TOO_MANY_ROWS, line, "more than " + limits.maxRows() + " rows");
            }
            int comma = l.indexOf(',');
            if (l.isEmpty() || comma < 0 || l.indexOf(',', comma + 1) >= 0) {
                throw new NabException(NabException.Reason.FIELDS, line, (l.isEmpty() ? "blank line" : "'" + abbreviate(l) + "'")
                        + "; expected two fields: timestamp,value");
            }
            String ts = l.substring(0, comma);
            String v = l.substring(comma + 1);
            long t = parseTimestamp(ts, line);
            if (v.isEmpty() || !DECIMAL.matcher(v).matches()) {
                throw new NabException(NabException.Reason.VALUE, line,
                        (v.isEmpty() ? "blank value" : "value '" + abbreviate(v) + "'") + " is not a decimal number");
            }
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NabException(NabException.Reason.VALUE, line, "value '" + v + "' is not finite");
            }
            timestamp = ts;
            timeMillis = t;
            value = d;
            valueText = v;
            return true;
        }

        /** The current row's timestamp as written. */
        public String timestamp() {
            return timestamp;
        }

        /** The current row's timestamp, epoch milliseconds UTC. */
        public long timeMillis() {
            return timeMillis;
        }

        public double value() {
            return value;
        }

        /** The current row's value as written. */
        public String valueText() {
            return valueText;
        }

        /** The 1-based line of the current row. */
        public long line() {
            return line;
        }

        private String readLine() {
            if (eof) {
                return null;
            }
            buf.setLength(0);
            try {
                int c;
                while ((c = in.read()) >= 0) {
                    if (c == '\n') {
                        break;
                    }
                    if (buf.length() > limits.maxLineLength()) {
                        throw new NabException(NabException.Reason.LINE_TOO_LONG, line + 1,
                                "line longer than " + limits.maxLineLength() + " characters");
                    }
                    buf.append((char) c);
                }
                if (c < 0) {
                    eof = true;
                    if (buf.length() == 0) {
                        return null;
                    }
                }
            } catch (CharacterCodingException e) {
                throw new NabException(NabException.Reason.IO, "line " + (line + 1) + ": not UTF-8 text", e);
            } catch (IOException e) {
                throw new NabException(NabException.Reason.IO, "line " + (line + 1) + ": " + e.getMessage(), e);
            }
            line++;
            int n = buf.length();
            if (n > 0 && buf.charAt(n - 1) == '\r') {
                buf.setLength(n - 1);
            }
            if (buf.length() > limits.maxLineLength()) {
                throw new NabException(NabException.Reason.LINE_TOO_LONG, line,
                        "line longer than " + limits.maxLineLength() + " characters");
            }
            return buf.toString();
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
