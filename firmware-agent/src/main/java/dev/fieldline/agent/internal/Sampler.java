package dev.fieldline.agent.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a sampling task on the agent's single core thread at an interval that can change while
 * running. Ticks keep a fixed rate (the next is due one interval after the previous was due) and
 * skip ahead instead of bursting when the thread fell behind.
 */
public final class Sampler {
    private final ScheduledExecutorService core;
    private final Runnable task;
    private volatile Duration interval;
    private long nextDueNanos;
    private ScheduledFuture<?> future;
    private boolean stopped;

    public Sampler(ScheduledExecutorService core, Duration interval, Runnable task) {
        this.core = core;
        this.interval = interval;
        this.task = task;
    }

    /** Takes the first sample now, then one per interval. */
    public synchronized void start() {
        nextDueNanos = System.nanoTime();
        future = core.schedule(this::tick, 0, TimeUnit.NANOSECONDS);
    }

    public Duration interval() {
        return interval;
    }

    /** Changes the interval; the next sample is due one new interval from now. */
    public synchronized void setInterval(Duration newInterval) {
        interval = newInterval;
        if (stopped || future == null) {
            return;
        }
        future.cancel(false);
        nextDueNanos = System.nanoTime() + newInterval.toNanos();
        future = core.schedule(this::tick, newInterval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        try {
            task.run();
        } finally {
            synchronized (this) {
                if (!stopped) {
                    long now = System.nanoTime();
                    nextDueNanos += interval.toNanos();
                    if (nextDueNanos - now < 0) {
                        nextDueNanos = now;
                    }
                    future = core.schedule(this::tick, nextDueNanos - now, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    public synchronized void stop() {
        stopped = true;
        if (future != null) {
            future.cancel(false);
        }
    }
}
