package dev.fieldline.analytics.window;

import dev.fieldline.analytics.StreamKey;
import java.util.ArrayList;

/**
 * Tumbling, hopping and sliding windows by pane aggregation: samples go into panes as long as the
 * greatest common divisor of size and slide; a closing window merges its panes. No copy of a sample
 * is kept per window, and a pane lives until the last window that covers it closes.
 */
final class PaneWindows implements WindowOperator {
    private final StreamKey key;
    private final WindowSpec spec;
    private final WindowListener listener;
    private final long size;
    private final long slide;
    private final long pane;
    /** Panes holding data, by start. */
    private final ArrayList<Aggregate> panes = new ArrayList<>(4);
    /** The earliest window start not yet emitted or skipped. */
    private long nextStart;
    private boolean started;

    PaneWindows(StreamKey key, WindowSpec spec, WindowListener listener) {
        this.key = key;
        this.spec = spec;
        this.listener = listener;
        this.size = spec.size();
        this.slide = spec.slide();
        this.pane = spec.pane();
    }

    @Override
    public boolean add(long pos, long time, double value, long watermark) {
        if (!started) {
            started = true;
            nextStart = spec.count() ? 0 : firstStartEndingAfter(watermark);
        }
        if (pos < watermark && firstStartEndingAfter(pos) + size <= watermark) {
            return false;
        }
        long paneStart = Math.floorDiv(pos, pane) * pane;
        int i = panes.size() - 1;
        while (i >= 0 && panes.get(i).paneStart > paneStart) {
            i--;
        }
        Aggregate p;
        if (i >= 0 && panes.get(i).paneStart == paneStart) {
            p = panes.get(i);
        } else {
            p = new Aggregate();
            p.paneStart = paneStart;
            panes.add(i + 1, p);
        }
        p.add(time, value);
        return true;
    }

    @Override
    public void advance(long watermark) {
        if (!started) {
            return;
        }
        long bound = firstStartEndingAfter(watermark);
        while (true) {
            if (panes.isEmpty()) {
                if (nextStart < bound) {
                    nextStart = bound;
                }
                return;
            }
            long s0 = firstStartEndingAfter(panes.get(0).paneStart);
            if (nextStart < s0) {
                nextStart = Math.min(s0, bound);
            }
            if (nextStart >= bound) {
                return;
            }
            emit(nextStart);
            nextStart += slide;
            int drop = 0;
            while (drop < panes.size() && panes.get(drop).paneStart < nextStart) {
                drop++;
            }
            if (drop > 0) {
                panes.subList(0, drop).clear();
            }
        }
    }

    @Override
    public void flush() {
        if (!panes.isEmpty()) {
            advance(panes.get(panes.size() - 1).paneStart + pane + size);
        }
    }

    /** The smallest window start whose window ends after pos: the first window containing pos. */
    private long firstStartEndingAfter(long pos) {
        return (Math.floorDiv(pos - size, slide) + 1) * slide;
    }

    private void emit(long start) {
        long end = start + size;
        Aggregate only = null;
        Aggregate merged = null;
        for (Aggregate p : panes) {
            if (p.paneStart >= end) {
                break;
            }
            if (p.paneStart < start) {
                continue;
            }
            if (only == null) {
                only = p;
            } else {
                if (merged == null) {
                    merged = new Aggregate();
                    merged.merge(only);
                }
                merged.merge(p);
            }
        }
        Aggregate a = merged != null ? merged : only;
        if (a == null) {
            return;
        }
        listener.windowClosed(spec.count() ? a.result(key, spec, a.firstTime, a.lastTime) : a.result(key, spec, start, end));
    }
}
