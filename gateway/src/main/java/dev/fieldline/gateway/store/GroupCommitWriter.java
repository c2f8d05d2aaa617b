package dev.fieldline.gateway.store;

import dev.fieldline.gateway.metrics.Metrics;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writer thread over one JDBC connection: drains a bounded queue of writes, runs as many as are
 * waiting (up to {@code maxBatch}) in one transaction, commits once, and only then completes their
 * futures, on a separate completion thread so callbacks never hold up the next transaction.
 *
 * <p>If a write fails, the batch is rolled back and its writes are re-run one transaction each, so
 * one bad write fails alone. A full queue fails the write at once with {@code OVERLOADED}.
 *
 * @param <S> the session the writes run against (the connection and its prepared statements)
 */
final class GroupCommitWriter<S> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    @FunctionalInterface
    interface Work<S, T> {
        T run(S session) throws SQLException;
    }

    private record Task<S, T>(String what, Work<S, T> work, CompletableFuture<T> future) {
        void complete(Object result) {
            @SuppressWarnings("unchecked")
            T t = (T) result;
            future.complete(t);
        }
    }

    private final Connection connection;
    private final S session;
    private final int maxBatch;
    private final Metrics metrics;
    private final BlockingQueue<Task<S, ?>> queue;
    private final ThreadPoolExecutor completions;
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean finished;

    GroupCommitWriter(String name, Connection connection, S session, int capacity, int maxBatch, Metrics metrics) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        }
        this.connection = connection;
        this.session = session;
        this.maxBatch = maxBatch;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(capacity);
        // Bounded: when completions fall behind, the writer runs them itself (back-pressure).
        this.completions = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256),
                r -> {
                    Thread t = new Thread(r, name + "-completions");
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.CallerRunsPolicy());
        this.thread = new Thread(this::run, name + "-writer");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues a write; never blocks. */
    <T> CompletableFuture<T> submit(String what, Work<S, T> work) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (closing) {
            future.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the store is closed"));
            return future;
        }
        Task<S, T> task = new Task<>(what, work, future);
        if (!queue.offer(task)) {
            metrics.increment("store_overloaded_total");
            future.completeExceptionally(new StoreException(StoreException.Reason.OVERLOADED,
                    "the store's write queue is full (" + (queue.size() + queue.remainingCapacity()) + " writes)"));
            return future;
        }
        // Offered after the writer drained its last batch and stopped: nobody else will run it.
        if (finished && queue.remove(task)) {
            future.completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the store is closed"));
        }
        return future;
    }

    /** Writes waiting to be committed. */
    int queued() {
        return queue.size();
    }

    private void run() {
        List<Task<S, ?>> batch = new ArrayList<>(maxBatch);
        while (true) {
            Task<S, ?> first;
            try {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (first == null) {
                if (closing) {
                    break;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            commit(List.copyOf(batch));
            batch.clear();
        }
    }

    private void commit(List<Task<S, ?>> batch) {
        Object[] results = new Object[batch.size()];
        try {
            for (int i = 0; i < batch.size(); i++) {
                results[i] = batch.get(i).work().run(session);
            }
            connection.commit();
            metrics.increment("store_transactions_total");
            metrics.add("store_writes_total", batch.size());
            completions.execute(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    batch.get(i).complete(results[i]);
                }
            });
        } catch (SQLException | RuntimeException e) {
            rollback();
            if (batch.size() == 1) {
                fail(batch.get(0), e);
            } else {
                log.debug("batch of {} writes failed ({}); retrying them one by one", batch.size(), e.toString());
                for (Task<S, ?> task : batch) {
                    commit(List.of(task));
                }
            }
        }
    }

    private void fail(Task<S, ?> task, Exception e) {
        metrics.increment("store_write_failures_total");
        log.warn("store write failed ({}): {}", task.what(), e.toString());
        StoreException error = e instanceof StoreException se ? se
                : new StoreException(StoreException.Reason.FAILED, task.what() + " failed: " + e.getMessage(), e);
        completions.execute(() -> task.future().completeExceptionally(error));
    }

    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            log.warn("rollback failed: {}", e.toString());
        }
    }

    /** Commits everything queued so far, then stops the writer and the completion thread. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finished = true;
        List<Task<S, ?>> left = new ArrayList<>();
        queue.drainTo(left);
        for (Task<S, ?> task : left) {
            task.future().completeExceptionally(new StoreException(StoreException.Reason.CLOSED, "the store is closed"));
        }
        completions.shutdown();
        try {
            if (!completions.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("store completions did not finish within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
