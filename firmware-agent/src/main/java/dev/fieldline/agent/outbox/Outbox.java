package dev.fieldline.agent.outbox;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.util.Optional;

/**
 * Bounded store of encoded uplink messages between the producers (sampler, command handler) and
 * the sender. A message leaves only when committed by the gateway ({@link #remove}) or when the
 * overflow policy pushes it out (counted). Adding never waits for the network. The
 * implementation is the durable {@link dev.fieldline.agent.journal.TelemetryJournal}.
 */
public interface Outbox extends AutoCloseable {

    /**
     * Appends a message. Returns false, counted, when the overflow policy refuses it or the
     * storage failed to take it; the caller should then not consume the sequence number.
     *
     * @throws IllegalArgumentException if the kind is not one that is journaled (telemetry,
     *     event, command result)
     */
    boolean add(MessageKind kind, Sequence sequence, byte[] payload);

    /** True while a producer that can skip work (the sampler under stop-sampling) should skip it. */
    boolean samplingPaused();

    /** The oldest entry whose position is greater than {@code position} (0 for the head), payload read back. */
    Optional<OutboxEntry> after(long position);

    /** Position of the newest entry appended so far (0 if none). */
    long lastPosition();

    /** Removes a committed (or rejected) entry; false if it was already gone (dropped or removed). */
    boolean remove(OutboxEntry entry);

    /** Entries held now (not yet committed). */
    int size();

    /** Counters and sizes. */
    OutboxStats stats();

    /** Registers a callback run (on the adding thread) after every successful add. */
    void onAdd(Runnable listener);

    /** Syncs and releases files and threads. */
    @Override
    void close();
}
