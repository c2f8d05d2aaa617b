package dev.fieldline.analytics.window;

import dev.fieldline.analytics.StreamKey;
import java.time.Duration;
import java.util.List;

/**
 * One stream's windows. Time windows run on event time with a bounded out-of-order allowance: the
 * watermark is the latest event time seen minus the allowance; a window closes (and is emitted) when
 * the watermark reaches its end; a sample that belongs to an already closed window is late, dropped
 * from the windows and reported. Count windows count samples in arrival order and are never late.
 * Windows of a stream that stops sending stay open until {@link #flush()}. Not thread-safe.
 */
public final class KeyWindows {
    private final WindowOperator[] operators;
    private final boolean[] count;
    private final long allowance;
    private long maxTime = Long.MIN_VALUE;
    private long samples;

    public KeyWindows(StreamKey key, List<WindowSpec> specs, Duration allowance, WindowListener listener) {
        if (allowance.isNegative()) {
            throw new IllegalArgumentException("allowance must not be negative, was " + allowance);
        }
        this.allowance = allowance.toMillis();
        operators = new WindowOperator[specs.size()];
        count = new boolean[specs.size()];
        for (int i = 0; i < operators.length; i++) {
            WindowSpec s = specs.get(i);
            count[i] = s.count();
            operators[i] = s.kind() == WindowSpec.Kind.SESSION ? new SessionWindows(key, s, listener)
                    : new PaneWindows(key, s, listener);
        }
    }

    /**
     * Adds a sample to every window, emitting the windows it closes.
     *
     * @return false when it was late for at least one time window (dropped from those)
     */
    public boolean add(long timeMillis, double value) {
        if (timeMillis > maxTime) {
            maxTime = timeMillis;
        }
        long watermark = maxTime - allowance;
        long ordinal = samples++;
        boolean onTime = true;
        for (int i = 0; i < operators.length; i++) {
            WindowOperator op = operators[i];
            if (count[i]) {
                op.add(ordinal, timeMillis, value, ordinal);
                op.advance(ordinal + 1);
            } else {
                onTime &= op.add(timeMillis, timeMillis, value, watermark);
                op.advance(watermark);
            }
        }
        return onTime;
    }

    /** The latest event time seen minus the allowance; Long.MIN_VALUE before any sample. */
    public long watermark() {
        return maxTime == Long.MIN_VALUE ? Long.MIN_VALUE : maxTime - allowance;
    }

    /** Emits every open window that holds data, as it stands (for a stream being dropped). */
    public void flush() {
        for (WindowOperator op : operators) {
            op.flush();
        }
    }
}
