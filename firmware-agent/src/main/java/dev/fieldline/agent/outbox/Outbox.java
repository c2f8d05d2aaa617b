package dev.fieldline.agent.outbox;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.util.Optional;

/**
 * Bounded buffer of encoded uplink messages between the producers (sampler, command handler) and
 * the sender. A message leaves only when acknowledged ({@link #remove}) or when it is pushed out
 * by overflow (drop-oldest, counted). Adding never blocks. The in-memory implementation is the
 * seam a durable journal will replace.
 */
public interface Outbox {

    /** Appends a message; if full, drops the oldest and counts it. Never blocks. */
    OutboxEntry add(MessageKind kind, Sequence sequence, byte[] payload);

    /** The oldest entry whose position is greater than {@code position} (0 for the head). */
    Optional<OutboxEntry> after(long position);

    /** Removes an acknowledged (or rejected) entry; false if it was already gone (dropped). */
    boolean remove(OutboxEntry entry);

    int size();

    int capacity();

    /** Entries dropped by overflow since start. */
    long dropped();

    /** Registers a callback run (on the adding thread) after every add. */
    void onAdd(Runnable listener);
}
