package dev.fieldline.analytics.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Streams by (device, metric), open addressing with linear probing: a lookup allocates nothing
 * (no key object per sample). Load factor at most 1/2; removal by backward shift.
 */
final class KeyTable {
    private KeyState[] slots = new KeyState[64];
    private int size;

    static int hash(String deviceId, String metric) {
        int h = deviceId.hashCode() * 31 + metric.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }

    int size() {
        return size;
    }

    KeyState get(String deviceId, String metric, int hash) {
        int mask = slots.length - 1;
        for (int i = hash & mask;; i = (i + 1) & mask) {
            KeyState s = slots[i];
            if (s == null) {
                return null;
            }
            if (s.hash == hash && s.key.deviceId().equals(deviceId) && s.key.metric().equals(metric)) {
                return s;
            }
        }
    }

    /** Adds a state whose key is not in the table. */
    void add(KeyState state) {
        if ((size + 1) * 2 > slots.length) {
            KeyState[] old = slots;
            slots = new KeyState[old.length * 2];
            for (KeyState s : old) {
                if (s != null) {
                    place(s);
                }
            }
        }
        place(state);
        size++;
    }

    private void place(KeyState s) {
        int mask = slots.length - 1;
        int i = s.hash & mask;
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        slots[i] = s;
    }

    void remove(KeyState state) {
        int mask = slots.length - 1;
        int i = state.hash & mask;
        while (slots[i] != state) {
            if (slots[i] == null) {
                return;
            }
            i = (i + 1) & mask;
        }
        slots[i] = null;
        size--;
        // backward shift: move later entries of the probe run into the hole when their home allows it
        for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = slots[j].hash & mask;
            boolean movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                slots[i] = slots[j];
                slots[j] = null;
                i = j;
            }
        }
    }

    /** The states whose latest sample is older than the cutoff. */
    List<KeyState> idleSince(long cutoffMillis) {
        List<KeyState> idle = new ArrayList<>();
        for (KeyState s : slots) {
            if (s != null && s.lastTime < cutoffMillis) {
                idle.add(s);
            }
        }
        return idle;
    }
}
