package dev.fieldline.agent.internal;

import dev.fieldline.agent.outbox.Outbox;
import dev.fieldline.agent.outbox.OutboxEntry;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.agent.uplink.Uplink;
import dev.fieldline.agent.uplink.UplinkException;
import java.time.Duration;
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
 */
public final class Sender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

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

    /**
     * @param replayRate most backlog messages per second after a (re)connect, at least 1
     */
    public Sender(String deviceId, Outbox outbox, Uplink uplink, ReconnectPolicy retry, int replayRate,
            Counters counters) {
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
                    if (rewind && inFlight == 0) {
                        cursor = 0;
                        rewind = false;
                    }
                    long now = System.nanoTime();
                    long pause = pauseUntilNanos - now;
                    if (!rewind && pause <= 0 && uplink.isConnected() && inFlight < uplink.maxInFlight()) {
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
                        long waitNanos = pause > 0 ? pause : TimeUnit.SECONDS.toNanos(1);
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
        if (error == null) {
            outbox.remove(entry);
            counters.acked.incrementAndGet();
            failures = 0;
        } else if (UplinkException.failureOf(error) == UplinkException.Failure.REJECTED) {
            outbox.remove(entry);
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
