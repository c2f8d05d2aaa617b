package dev.fieldline.agent.uplink;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one (re)connect loop of the uplinks: runs connection attempts one at a time on a scheduler,
 * the first at once, later ones after {@link ReconnectPolicy} delays, until one succeeds. Call
 * {@link #trigger} again after a connection is lost. Thread-safe.
 */
public final class Reconnector implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reconnector.class);

    private final ReconnectPolicy policy;
    private final ScheduledExecutorService scheduler;
    private final Supplier<CompletableFuture<Void>> attempt;
    private final Random random;
    private final String name;
    private int failures;
    private long connections;
    private boolean pending;
    private boolean closed;
    private ScheduledFuture<?> scheduled;

    public Reconnector(String name, ReconnectPolicy policy, ScheduledExecutorService scheduler,
                       Supplier<CompletableFuture<Void>> attempt, Random random) {
        this.name = name;
        this.policy = policy;
        this.scheduler = scheduler;
        this.attempt = attempt;
        this.random = random;
    }

    /** Schedules a connection attempt unless one is pending. */
    public synchronized void trigger() {
        if (closed || pending) {
            return;
        }
        pending = true;
        Duration delay = connections == 0 && failures == 0 ? Duration.ZERO : policy.delay(Math.max(1, failures), random::nextDouble);
        log.debug("{}: connection attempt in {}", name, delay);
        scheduled = scheduler.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void run() {
        CompletableFuture<Void> f;
        try {
            f = attempt.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ok, error) -> {
            synchronized (this) {
                pending = false;
                if (error == null) {
                    failures = 0;
                    connections++;
                    return;
                }
                failures++;
                log.debug("{}: connection attempt {} failed: {}", name, failures, error.toString());
            }
            trigger();
        });
    }

    /** Successful connections after the first. */
    public synchronized long reconnects() {
        return Math.max(0, connections - 1);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
    }
}
