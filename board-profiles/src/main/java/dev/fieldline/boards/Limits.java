package dev.fieldline.boards;

import java.util.OptionalLong;

/**
 * What the agent may use on this board.
 *
 * @param heapBytes the JVM heap the agent is meant to run in ({@code -Xmx}); the agent warns when it
 *     was given more
 * @param journalBytes the journal's size bound, unless the agent configuration sets {@code journal.max-size}
 */
public record Limits(OptionalLong heapBytes, OptionalLong journalBytes) {
    public static final Limits NONE = new Limits(OptionalLong.empty(), OptionalLong.empty());

    public Limits {
        if (heapBytes == null || journalBytes == null) {
            throw new IllegalArgumentException("heapBytes and journalBytes must not be null");
        }
    }
}
