package dev.fieldline.gateway.store;

/** An inclusive range of sequence numbers, e.g. a gap. */
public record SeqRange(long first, long last) {
    public long size() {
        return last - first + 1;
    }
}
