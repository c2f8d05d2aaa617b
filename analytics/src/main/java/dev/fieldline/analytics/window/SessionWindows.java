package dev.fieldline.analytics.window;

import dev.fieldline.analytics.StreamKey;
import java.util.ArrayList;

/**
 * Session windows: a sample at t opens {@code [t, t + gap)}; sessions whose spans overlap merge (an
 * out-of-order sample can bridge two). A session closes when the watermark reaches its last
 * sample's time plus the gap.
 */
final class SessionWindows implements WindowOperator {
    private final StreamKey key;
    private final WindowSpec spec;
    private final WindowListener listener;
    private final long gap;
    /** Open sessions, by first sample time; disjoint. */
    private final ArrayList<Aggregate> open = new ArrayList<>(2);

    SessionWindows(StreamKey key, WindowSpec spec, WindowListener listener) {
        this.key = key;
        this.spec = spec;
        this.listener = listener;
        this.gap = spec.size();
    }

    @Override
    public boolean add(long pos, long time, double value, long watermark) {
        Aggregate joined = null;
        int at = open.size();
        for (int i = 0; i < open.size(); i++) {
            Aggregate s = open.get(i);
            if (time < s.lastTime + gap && time + gap > s.firstTime) {
                if (joined == null) {
                    joined = s;
                } else {
                    joined.merge(s);
                    open.remove(i);
                    i--;
                }
            } else if (joined == null && s.firstTime > time && at == open.size()) {
                at = i;
            }
        }
        if (joined == null) {
            if (time + gap <= watermark) {
                return false;
            }
            joined = new Aggregate();
            open.add(at, joined);
        }
        joined.add(time, value);
        return true;
    }

    @Override
    public void advance(long watermark) {
        for (int i = 0; i < open.size(); i++) {
            Aggregate s = open.get(i);
            if (s.lastTime + gap <= watermark) {
                emit(s);
                open.remove(i);
                i--;
            }
        }
    }

    @Override
    public void flush() {
        for (Aggregate s : open) {
            emit(s);
        }
        open.clear();
    }

    private void emit(Aggregate s) {
        listener.windowClosed(s.result(key, spec, s.firstTime, s.lastTime + gap));
    }
}
