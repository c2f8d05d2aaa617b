package dev.fieldline.analytics.window;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One window definition, in event time or in samples. Parsed from text ({@link #parse}):
 *
 * <ul>
 *   <li>{@code tumbling 1m}, {@code tumbling 100 samples}: back-to-back windows of one size;
 *   <li>{@code hopping 5m every 1m}, {@code hopping 100 samples every 20 samples}: windows of one
 *       size starting every {@code every} (which must not exceed the size);
 *   <li>{@code sliding 30s}, {@code sliding 100 samples}: the last {@code size}, advancing in steps
 *       of a tenth of it (at least one millisecond or sample): a hopping window with a fine step;
 *   <li>{@code session gap 2m}: a burst of samples no more than {@code gap} apart (time only).
 * </ul>
 *
 * Durations are a whole number with a unit: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d}.
 *
 * @param kind which kind
 * @param count true when size and slide count samples, false when they are milliseconds of event time
 * @param size window length (ms or samples); for a session, the gap
 * @param slide distance between window starts (ms or samples); for a session, the gap
 */
public record WindowSpec(Kind kind, boolean count, long size, long slide) {
    /** Longest text {@link #parse} reads. */
    public static final int MAX_TEXT = 100;
    /** Longest time window or session gap: 7 days. */
    public static final long MAX_MILLIS = Duration.ofDays(7).toMillis();
    /** Largest count window. */
    public static final long MAX_SAMPLES = 1_000_000;
    /** Most panes one window may span (its size over the greatest common divisor of size and slide). */
    public static final long MAX_PANES_PER_WINDOW = 10_000;

    private static final String GRAMMAR = "'tumbling LEN', 'sliding LEN', 'hopping LEN every LEN' or 'session gap DURATION',"
            + " where LEN is a duration such as 500ms, 30s, 1m, 2h, 1d or a count such as '100 samples'";
    private static final Pattern LEN = Pattern.compile("(\\d{1,10})\\s*(ms|s|m|h|d|samples?)");

    public enum Kind {
        TUMBLING, SLIDING, HOPPING, SESSION;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public WindowSpec {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        long max = count ? MAX_SAMPLES : MAX_MILLIS;
        String unit = count ? " samples" : " ms";
        if (size < 1 || size > max) {
            throw new IllegalArgumentException("window size must be in [1, " + max + "]" + unit + ", was " + size);
        }
        if (slide < 1 || slide > size) {
            throw new IllegalArgumentException("window slide must be in [1, size " + size + "]" + unit + ", was " + slide);
        }
        if (kind == Kind.SESSION && (count || slide != size)) {
            throw new IllegalArgumentException("a session window is in time, with slide equal to its gap");
        }
        if (kind == Kind.TUMBLING && slide != size) {
            throw new IllegalArgumentException("a tumbling window's slide is its size");
        }
        if (size / gcd(size, slide) > MAX_PANES_PER_WINDOW) {
            throw new IllegalArgumentException("window " + size + unit + " every " + slide + unit + " would need "
                    + size / gcd(size, slide) + " panes per window; at most " + MAX_PANES_PER_WINDOW
                    + ": make the size a multiple of a larger common step");
        }
    }

    public static WindowSpec tumbling(Duration size) {
        return new WindowSpec(Kind.TUMBLING, false, size.toMillis(), size.toMillis());
    }

    public static WindowSpec hopping(Duration size, Duration every) {
        return new WindowSpec(Kind.HOPPING, false, size.toMillis(), every.toMillis());
    }

    public static WindowSpec sliding(Duration size) {
        return new WindowSpec(Kind.SLIDING, false, size.toMillis(), slidingStep(size.toMillis()));
    }

    public static WindowSpec session(Duration gap) {
        return new WindowSpec(Kind.SESSION, false, gap.toMillis(), gap.toMillis());
    }

    public static WindowSpec tumblingSamples(long n) {
        return new WindowSpec(Kind.TUMBLING, true, n, n);
    }

    /**
     * Parses a window definition.
     *
     * @throws IllegalArgumentException naming what is wrong and the accepted forms
     */
    public static WindowSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty window; expected " + GRAMMAR);
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("window text longer than " + MAX_TEXT + " characters; expected " + GRAMMAR);
        }
        String t = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        int sp = t.indexOf(' ');
        String word = sp < 0 ? t : t.substring(0, sp);
        String rest = sp < 0 ? "" : t.substring(sp + 1);
        try {
            switch (word) {
                case "tumbling" -> {
                    Len len = len(rest, "size");
                    return new WindowSpec(Kind.TUMBLING, len.count, len.value, len.value);
                }
                case "sliding" -> {
                    Len len = len(rest, "size");
                    return new WindowSpec(Kind.SLIDING, len.count, len.value, slidingStep(len.value));
                }
                case "hopping" -> {
                    int every = rest.indexOf(" every ");
                    if (every < 0) {
                        throw new IllegalArgumentException("a hopping window needs 'every', e.g. 'hopping 5m every 1m'");
                    }
                    Len size = len(rest.substring(0, every), "size");
                    Len slide = len(rest.substring(every + 7), "every");
                    if (size.count != slide.count) {
                        throw new IllegalArgumentException("size and every must both be durations or both be sample counts");
                    }
                    if (slide.value > size.value) {
                        throw new IllegalArgumentException("every (" + slide.text + ") must not exceed the size (" + size.text
                                + "): samples between windows would be in none");
                    }
                    return new WindowSpec(Kind.HOPPING, size.count, size.value, slide.value);
                }
                case "session" -> {
                    if (!rest.startsWith("gap ")) {
                        throw new IllegalArgumentException("a session window needs 'gap', e.g. 'session gap 2m'");
                    }
                    Len gap = len(rest.substring(4), "gap");
                    if (gap.count) {
                        throw new IllegalArgumentException("a session gap is a duration, not a sample count");
                    }
                    return new WindowSpec(Kind.SESSION, false, gap.value, gap.value);
                }
                default -> throw new IllegalArgumentException("unknown window kind '" + word + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad window '" + text.trim() + "': " + e.getMessage() + "; expected " + GRAMMAR, e);
        }
    }

    /** The canonical text, which {@link #parse} reads back to an equal spec. */
    public String text() {
        return switch (kind) {
            case TUMBLING -> "tumbling " + len(size);
            case SLIDING -> "sliding " + len(size);
            case HOPPING -> "hopping " + len(size) + " every " + len(slide);
            case SESSION -> "session gap " + len(size);
        };
    }

    @Override
    public String toString() {
        return text();
    }

    /** Pane length: the greatest common divisor of size and slide. */
    long pane() {
        return gcd(size, slide);
    }

    private String len(long v) {
        if (count) {
            return v + (v == 1 ? " sample" : " samples");
        }
        if (v % 86_400_000 == 0) {
            return v / 86_400_000 + "d";
        }
        if (v % 3_600_000 == 0) {
            return v / 3_600_000 + "h";
        }
        if (v % 60_000 == 0) {
            return v / 60_000 + "m";
        }
        if (v % 1000 == 0) {
            return v / 1000 + "s";
        }
        return v + "ms";
    }

    private static long slidingStep(long size) {
        return Math.max(1, size / 10);
    }

    private record Len(long value, boolean count, String text) {
    }

    private static Len len(String s, String what) {
        Matcher m = LEN.matcher(s.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(what + " '" + s.trim() + "' is not a duration or sample count");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2);
        long mult = switch (unit) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            case "d" -> 86_400_000;
            default -> 1;
        };
        boolean count = unit.startsWith("sample");
        long max = count ? MAX_SAMPLES : MAX_MILLIS;
        if (n < 1 || n > max / mult) {
            throw new IllegalArgumentException(what + " " + s.trim() + " is out of range: " + (count ? "1 to " + MAX_SAMPLES + " samples" : "1ms to 7d"));
        }
        return new Len(n * mult, count, s.trim());
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
