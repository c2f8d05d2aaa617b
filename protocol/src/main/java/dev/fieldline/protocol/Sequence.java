package dev.fieldline.protocol;

/**
 * Position of an uplink message in a device's stream: the boot it was sent in (a counter the agent
 * persists and increments at every start) and its sequence number within that boot (from 1).
 * Together with the device id it identifies a message exactly once.
 */
public record Sequence(long bootId, long seq) implements Comparable<Sequence> {

    public Sequence {
        if (bootId < 0) {
            throw new IllegalArgumentException("bootId must be >= 0, was " + bootId);
        }
        if (seq < 1) {
            throw new IllegalArgumentException("seq must be >= 1, was " + seq);
        }
    }

    @Override
    public int compareTo(Sequence o) {
        int c = Long.compare(bootId, o.bootId);
        return c != 0 ? c : Long.compare(seq, o.seq);
    }
}
