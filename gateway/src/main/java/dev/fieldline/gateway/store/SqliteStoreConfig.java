package dev.fieldline.gateway.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Configuration of the SQLite store.
 *
 * @param file the database file (created with its directory if missing); WAL files sit beside it
 * @param queueCapacity writes waiting for the writer thread before new ones are refused (overload)
 * @param maxBatch most writes committed in one transaction
 * @param busyTimeout how long a statement waits for a lock held by another connection or process
 * @param readConnections connections serving queries (WAL: readers never block the writer)
 */
public record SqliteStoreConfig(Path file, int queueCapacity, int maxBatch, Duration busyTimeout, int readConnections) {
    public static final String DEFAULT_FILE_NAME = "fieldline.db";

    public SqliteStoreConfig {
        if (file == null) {
            throw new IllegalArgumentException("file must not be null");
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queueCapacity must be >= 1, was " + queueCapacity);
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, was " + maxBatch);
        }
        if (busyTimeout == null || busyTimeout.isNegative()) {
            throw new IllegalArgumentException("busyTimeout must be >= 0, was " + busyTimeout);
        }
        if (readConnections < 1) {
            throw new IllegalArgumentException("readConnections must be >= 1, was " + readConnections);
        }
    }

    /** {@code {dataDir}/fieldline.db}, 10,000 queued writes, batches of up to 1,000, 5 s busy timeout, 2 readers. */
    public static SqliteStoreConfig defaults(Path dataDir) {
        return new SqliteStoreConfig(dataDir.resolve(DEFAULT_FILE_NAME), 10_000, 1_000, Duration.ofSeconds(5), 2);
    }

    public SqliteStoreConfig withQueueCapacity(int capacity) {
        return new SqliteStoreConfig(file, capacity, maxBatch, busyTimeout, readConnections);
    }

    public SqliteStoreConfig withMaxBatch(int batch) {
        return new SqliteStoreConfig(file, queueCapacity, batch, busyTimeout, readConnections);
    }

    public SqliteStoreConfig withBusyTimeout(Duration timeout) {
        return new SqliteStoreConfig(file, queueCapacity, maxBatch, timeout, readConnections);
    }
}
