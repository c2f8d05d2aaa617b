package dev.fieldline.agent.internal;

import dev.fieldline.agent.outbox.Outbox;
import dev.fieldline.agent.outbox.OutboxEntry;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.agent.uplink.UplinkException;
import dev.fieldline.protocol.Ack;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves messages from the outbox to the uplink, oldest first, with at most
 * {@link Uplink#maxInFlight()} unacknowledged. An entry leaves the outbox only when acknowledged
 * (or rejected by the peer, which is counted). After a failure the sender waits for in-flight
 * sends to settle and starts again from the oldest unacknowledged entry, so order is kept and
 * nothing is skipped (duplicates are possible; the gateway deduplicates by sequence).
 *
 * <p>Paced replay: the entries already in the outbox when the uplink (re)connects (the backlog)
 * are sent at no more than {@code replayRate} messages per second; entries added since queue
 * behind them in order and go out unpaced once the backlog is through.
 *
 * <p>Ack-message mode ({@link #awaitingAcks}, for an external MQTT broker between agent and gateway):
 * the transport's acknowledgement only frees the in-flight slot; an entry leaves the outbox when an
 * {@link Ack} from the gateway covers it. At most {@code ackWindow} entries are sent and not yet
 * acked (only their position and sequence are kept, not the payload). If the oldest of them waits
 * longer than the ack timeout, the sender starts again from the oldest entry in the outbox (the
 * gateway answers repeats as duplicates and acks them); the timeout doubles, up to 8 times, while
 * no ack comes, and is reset by the next ack.
 */
public final class Sender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final byte[] NO_PAYLOAD = new byte[0];
    /** Ack-message mode: default most entries sent and not yet acked (about 64 bytes of memory each). */
    public static final int DEFAULT_ACK_WINDOW = 4096;

    private final Outbox outbox;
    private final Uplink uplink;
    private final ReconnectPolicy retry;
    private final Counters counters;
    private final long replayGapNanos;
    private final Thread thread;
    private final Random random = new Random();

    private boolean running = true;
    private boolean rewind;
    private int inFlight;
    private int failures;
    private long pauseUntilNanos;
    /** Last position of the backlog being replayed (paced); entries after it are fresh. */
    private long replayEnd;
    private long nextReplayNanos;

    /** Ack-message mode: the timeout, 0 in transport mode. */
    private final long ackTimeoutNanos;
    private final int ackWindow;
    private long currentAckTimeoutNanos;
    /** Sent and not yet covered by an ack: bootId -> seq -> entry (payload not kept). */
    private final Map<Long, TreeMap<Long, Unacked>> unacked = new HashMap<>();
    private final ArrayDeque<Unacked> sendOrder = new ArrayDeque<>();
    private int unackedCount;
    /** Highest position handed to the uplink so far: sending one at or below it again is a resend. */
    private long highestSent;

    private static final class Unacked {
        final OutboxEntry entry;
        final long deadlineNanos;
        boolean done;

        Unacked(OutboxEntry entry, long deadlineNanos) {
            this.entry = entry;
            this.deadlineNanos = deadlineNanos;
        }
    }
    /**
     * @param replayRate most backlog messages per second after a (re)connect, at least 1
     */
    public Sender(String deviceId, Outbox outbox, Uplink uplink, ReconnectPolicy retry, int replayRate,
            Counters counters) {
        this(deviceId, outbox, uplink, retry, replayRate, counters, Duration.ZERO, 1);
    }

    /**
     * A sender in ack-message mode: entries leave the outbox when the gateway's ack (passed to
     * {@link #acked}) covers them.
     *
     * @param ackTimeout how long the oldest sent entry may wait for its ack before sending starts again from the oldest
     * @param ackWindow most entries sent and not yet acked, at least 1
     */
    public static Sender awaitingAcks(String deviceId, Outbox outbox, Uplink uplink, ReconnectPolicy retry,
            int replayRate, Counters counters, Duration ackTimeout, int ackWindow) {
        if (ackTimeout == null || ackTimeout.isNegative() || ackTimeout.isZero()) {
            throw new IllegalArgumentException("ackTimeout must be positive, was " + ackTimeout);
        }
        if (ackWindow < 1) {
            throw new IllegalArgumentException("ackWindow must be >= 1, was " + ackWindow);
        }
        return new Sender(deviceId, outbox, uplink, retry, replayRate, counters, ackTimeout, ackWindow);
    }

    private Sender(String deviceId, Outbox outbox, Uplink uplink, ReconnectPolicy retry, int replayRate,
            Counters counters, Duration ackTimeout, int ackWindow) {
        this.ackTimeoutNanos = ackTimeout.toNanos();
        this.currentAckTimeoutNanos = ackTimeoutNanos;
        this.ackWindow = ackWindow;
        if (replayRate < 1) {
            throw new IllegalArgumentException("replayRate must be >= 1, was " + replayRate);
        }
        this.replayGapNanos = TimeUnit.SECONDS.toNanos(1) / replayRate;
        this.outbox = outbox;
        this.uplink = uplink;
        this.retry = retry;
        this.counters = counters;
        this.thread = new Thread(this::loop, "fl-agent-sender-" + deviceId);
        this.thread.setDaemon(true);
        outbox.onAdd(this::wake);
    }

    public void start() {
        thread.start();
    }

    /** Something changed (new entry, connection up): look again. */
    public synchronized void wake() {
        notifyAll();
    }

    /** The uplink (re)connected: resend from the oldest unacknowledged entry without waiting. */
    public synchronized void connected() {
        rewind = true;
        pauseUntilNanos = 0;
        replayEnd = outbox.lastPosition();
        nextReplayNanos = System.nanoTime();
        notifyAll();
    }

    /** Ack-message mode: the gateway says these are committed; removes the entries it covers. */
    public synchronized void acked(Ack ack) {
        counters.acksReceived.incrementAndGet();
        TreeMap<Long, Unacked> boot = unacked.get(ack.bootId());
        if (boot == null) {
            return;
        }
        int before = unackedCount;
        release(boot.headMap(ack.watermark(), true));
        for (Ack.Range r : ack.ranges()) {
            release(boot.subMap(r.first(), true, r.last(), true));
        }
        if (boot.isEmpty()) {
            unacked.remove(ack.bootId());
        }
        if (unackedCount < before) {
            currentAckTimeoutNanos = ackTimeoutNanos;
            notifyAll();
        }
    }

    private void release(SortedMap<Long, Unacked> covered) {
        for (Unacked u : covered.values()) {
            u.done = true;
            outbox.remove(u.entry);
            counters.acked.incrementAndGet();
            unackedCount--;
        }
        covered.clear();
    }

    /** Ack-message mode: entries sent and not yet acked. */
    public synchronized int awaitingAck() {
        return unackedCount;
    }

    private boolean ackMode() {
        return ackTimeoutNanos > 0;
    }

    /** Ack-message mode: if the oldest unacked entry is overdue, start again from the oldest; else nanos until it is. */
    private long checkAckTimeout(long now) {
        while (!sendOrder.isEmpty() && sendOrder.peekFirst().done) {
            sendOrder.pollFirst();
        }
        Unacked oldest = sendOrder.peekFirst();
        if (oldest == null) {
            return Long.MAX_VALUE;
        }
        long left = oldest.deadlineNanos - now;
        if (left <= 0 && !rewind) {
            counters.ackTimeouts.incrementAndGet();
            log.debug("{} {} not acked within {} ms; sending again from the oldest", oldest.entry.kind().suffix(),
                    oldest.entry.sequence(), TimeUnit.NANOSECONDS.toMillis(currentAckTimeoutNanos));
            currentAckTimeoutNanos = Math.min(currentAckTimeoutNanos * 2, ackTimeoutNanos * 8);
            rewind = true;
        }
        return rewind ? Long.MAX_VALUE : left; // while a rewind waits for in-flight sends, settling wakes the loop
    }

    private void forgetUnacked() {
        unacked.clear();
        sendOrder.clear();
        unackedCount = 0;
    }

    /** Messages handed to the uplink and not yet settled. */
    public synchronized int inFlight() {
        return inFlight;
    }

    private void loop() {
        long cursor = 0;
        while (true) {
            OutboxEntry next;
            synchronized (this) {
                next = null;
                while (running) {
                    long now = System.nanoTime();
                    long ackWait = ackMode() ? checkAckTimeout(now) : Long.MAX_VALUE;
                    if (rewind && inFlight == 0) {
                        cursor = 0;
                        rewind = false;
                        forgetUnacked();
                        ackWait = Long.MAX_VALUE;
                    }
                    long pause = pauseUntilNanos - now;
                    boolean windowOpen = !ackMode() || unackedCount < ackWindow;
                    if (!rewind && pause <= 0 && uplink.isConnected() && inFlight < uplink.maxInFlight() && windowOpen) {
                        next = outbox.after(cursor).orElse(null);
                        if (next != null && next.position() <= replayEnd && nextReplayNanos - now > 0) {
                            pause = nextReplayNanos - now;
                            next = null;
                        }
                        if (next != null) {
                            break;
                        }
                    }
                    try {
                        long waitNanos = Math.max(1, Math.min(pause > 0 ? pause : TimeUnit.SECONDS.toNanos(1), ackWait));
                        TimeUnit.NANOSECONDS.timedWait(this, waitNanos);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!running) {
                    return;
                }
                cursor = next.position();
                inFlight++;
                if (next.position() <= highestSent) {
                    counters.resent.incrementAndGet();
                }
                highestSent = Math.max(highestSent, next.position());
                if (ackMode()) {
                    Unacked u = new Unacked(new OutboxEntry(next.position(), next.kind(), next.sequence(), NO_PAYLOAD),
                            System.nanoTime() + currentAckTimeoutNanos);
                    unacked.computeIfAbsent(next.sequence().bootId(), k -> new TreeMap<>()).put(next.sequence().seq(), u);
                    sendOrder.addLast(u);
                    unackedCount++;
                }
                if (next.position() <= replayEnd) {
                    nextReplayNanos = Math.max(nextReplayNanos, System.nanoTime()) + replayGapNanos;
                    counters.replayed.incrementAndGet();
                }
            }
            counters.sent.incrementAndGet();
            OutboxEntry entry = next;
            uplink.send(entry.kind(), entry.payload()).whenComplete((ok, error) -> settled(entry, error));
        }
    }

    private synchronized void settled(OutboxEntry entry, Throwable error) {
        inFlight--;
        if (error == null && ackMode()) {
            failures = 0; // the broker has it; the entry stays until the gateway's ack covers it
        } else if (error == null) {
            outbox.remove(entry);
            counters.acked.incrementAndGet();
            failures = 0;
        } else if (UplinkException.failureOf(error) == UplinkException.Failure.REJECTED) {
            outbox.remove(entry);
            forgetOne(entry);
            counters.rejected.incrementAndGet();
            log.warn("{} {} rejected by the gateway, dropped: {}", entry.kind().suffix(), entry.sequence(), error.getMessage());
        } else {
            counters.failed.incrementAndGet();
            failures++;
            rewind = true;
            Duration delay = retry.delay(Math.min(failures, 30), random::nextDouble);
            pauseUntilNanos = System.nanoTime() + delay.toNanos();
            log.debug("{} {} not acknowledged ({}); retrying from the oldest in {}", entry.kind().suffix(),
                    entry.sequence(), error.getMessage(), delay);
        }
        notifyAll();
    }

    private void forgetOne(OutboxEntry entry) {
        TreeMap<Long, Unacked> boot = unacked.get(entry.sequence().bootId());
        Unacked u = boot == null ? null : boot.remove(entry.sequence().seq());
        if (u != null) {
            u.done = true;
            unackedCount--;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
