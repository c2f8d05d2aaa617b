package dev.fieldline.agent.outbox;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** A bounded in-memory {@link Outbox}, lost on restart. Thread-safe. */
public final class InMemoryOutbox implements Outbox {
    private final ArrayDeque<OutboxEntry> entries = new ArrayDeque<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final int capacity;
    private long nextPosition = 1;
    private long dropped;

    public InMemoryOutbox(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public OutboxEntry add(MessageKind kind, Sequence sequence, byte[] payload) {
        OutboxEntry e;
        synchronized (this) {
            if (entries.size() >= capacity) {
                entries.pollFirst();
                dropped++;
            }
            e = new OutboxEntry(nextPosition++, kind, sequence, payload);
            entries.addLast(e);
        }
        for (Runnable l : listeners) {
            l.run();
        }
        return e;
    }

    @Override
    public synchronized Optional<OutboxEntry> after(long position) {
        for (OutboxEntry e : entries) {
            if (e.position() > position) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized boolean remove(OutboxEntry entry) {
        OutboxEntry head = entries.peekFirst();
        if (head != null && head.position() == entry.position()) {
            entries.pollFirst();
            return true;
        }
        for (Iterator<OutboxEntry> it = entries.iterator(); it.hasNext(); ) {
            OutboxEntry e = it.next();
            if (e.position() == entry.position()) {
                it.remove();
                return true;
            }
            if (e.position() > entry.position()) {
                return false;
            }
        }
        return false;
    }

    @Override
    public synchronized int size() {
        return entries.size();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public void onAdd(Runnable listener) {
        listeners.add(listener);
    }
}
