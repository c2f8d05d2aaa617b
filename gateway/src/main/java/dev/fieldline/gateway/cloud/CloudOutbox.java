package dev.fieldline.gateway.cloud;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The cloud uplink's store-and-forward queue: a durable FIFO in its own SQLite file
 * ({@code {dataDir}/cloud-outbox.db}, WAL, {@code synchronous=FULL}: an append has reached the disk
 * when it returns). Records keep increasing ids (never reused), are read in id order and leave only
 * when {@link #delete deleted} after the peer confirmed them, or {@link #park parked} as dead letters
 * when the peer refused them for good. Bounded by record count and bytes: a full outbox refuses new
 * records. A record whose id is already pending is not stored twice.
 *
 * <p>The batch being sent is pinned ({@link #pin}) so that a retry, even after a restart, carries
 * exactly the same records under the same {@link Batch#id() batch id}. Thread-safe (one connection,
 * synchronized).
 */
public final class CloudOutbox implements AutoCloseable {
    /** File name of the outbox under the gateway's data directory. */
    public static final String FILE_NAME = "cloud-outbox.db";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection conn;
    private final long maxRecords;
    private final long maxBytes;
    private final String outboxId;
    private long count;
    private long bytes;
    private long deadLetters;

    /** What {@link #append} did with one record. */
    public enum Appended {
        /** Stored (durably, once the call returns). */
        STORED,
        /** A record with this id is already pending: kept once. */
        ALREADY_PENDING,
        /** The outbox is full (records or bytes). */
        FULL,
        /** The record alone is larger than {@link CloudSyncConfig#MAX_RECORD_BYTES}. */
        TOO_LARGE
    }

    /** One pending record as it will be sent. */
    public record Entry(long seq, String recordId, String kind, String deviceId, String json) {
    }

    /**
     * Consecutive pending records sent together.
     *
     * @param id stable identity: the outbox's own id and the first and last sequence numbers; the same
     *     records always have the same batch id (the HTTP Idempotency-Key)
     */
    public record Batch(String id, List<Entry> entries) {
        public long first() {
            return entries.get(0).seq();
        }

        public long last() {
            return entries.get(entries.size() - 1).seq();
        }

        public long bytes() {
            return entries.stream().mapToLong(e -> e.json().length()).sum();
        }
    }

    /** A record the peer refused for good, kept for an operator to see. */
    public record DeadLetter(long seq, String recordId, String kind, String deviceId, String batchId, String reason,
                             Instant parkedAt, String json) {
    }

    private CloudOutbox(Connection conn, long maxRecords, long maxBytes) throws SQLException {
        this.conn = conn;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        try (Statement s = conn.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, record_id TEXT NOT NULL UNIQUE,"
                    + " kind TEXT NOT NULL, device_id TEXT NOT NULL, json TEXT NOT NULL, bytes INTEGER NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS dead_letter (seq INTEGER PRIMARY KEY, record_id TEXT NOT NULL,"
                    + " kind TEXT NOT NULL, device_id TEXT NOT NULL, json TEXT NOT NULL, batch_id TEXT NOT NULL,"
                    + " reason TEXT NOT NULL, parked_at INTEGER NOT NULL)");
            s.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('outbox-id', '" + UUID.randomUUID() + "')");
        }
        conn.commit();
        outboxId = meta("outbox-id").orElseThrow();
        try (Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox")) {
            rs.next();
            count = rs.getLong(1);
            bytes = rs.getLong(2);
        }
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM dead_letter")) {
            rs.next();
            deadLetters = rs.getLong(1);
        }
        conn.commit();
    }

    /**
     * Opens (creating if needed) {@code {dataDir}/cloud-outbox.db}.
     *
     * @param maxRecords most pending records
     * @param maxBytes most pending bytes of record JSON
     * @throws StoreException when the file cannot be opened
     */
    public static CloudOutbox open(Path dataDir, long maxRecords, long maxBytes) {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxRecords and maxBytes must be positive, were " + maxRecords + ", " + maxBytes);
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            java.nio.file.Files.createDirectories(dataDir);
            return new CloudOutbox(SqliteStore.connect(file, Duration.ofSeconds(5), true), maxRecords, maxBytes);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException(StoreException.Reason.FAILED, "cannot open the cloud outbox " + file + ": " + e.getMessage(), e);
        }
    }

    /** The wire form of one record: {@code {"id", "kind", "deviceId", "time", "body"}}. */
    public static String json(CloudRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("kind", r.kind());
        m.put("deviceId", r.deviceId());
        m.put("time", r.time().toString());
        m.put("body", r.body());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("record " + r.id() + " has a body that is not JSON-serialisable: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Appends records in order, in one transaction; returns what happened to each. */
    public synchronized List<Appended> append(List<CloudRecord> records) {
        List<Appended> out = new ArrayList<>(records.size());
        long c = count;
        long b = bytes;
        try (PreparedStatement ins = conn.prepareStatement(
                "INSERT OR IGNORE INTO outbox(record_id, kind, device_id, json, bytes) VALUES (?, ?, ?, ?, ?)")) {
            for (CloudRecord r : records) {
                String json = json(r);
                int size = json.getBytes(StandardCharsets.UTF_8).length;
                if (size > CloudSyncConfig.MAX_RECORD_BYTES) {
                    out.add(Appended.TOO_LARGE);
                    continue;
                }
                if (c >= maxRecords || b + size > maxBytes) {
                    out.add(isPending(r.id()) ? Appended.ALREADY_PENDING : Appended.FULL);
                    continue;
                }
                ins.setString(1, r.id());
                ins.setString(2, r.kind());
                ins.setString(3, r.deviceId());
                ins.setString(4, json);
                ins.setInt(5, size);
                if (ins.executeUpdate() == 1) {
                    c++;
                    b += size;
                    out.add(Appended.STORED);
                } else {
                    out.add(Appended.ALREADY_PENDING);
                }
            }
            conn.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException(StoreException.Reason.FAILED, "cloud outbox append failed: " + e.getMessage(), e);
        }
        count = c;
        bytes = b;
        return out;
    }

    private boolean isPending(String recordId) throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("SELECT 1 FROM outbox WHERE record_id = ?")) {
            q.setString(1, recordId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The batch to send next: the pinned one if a send of it is unfinished (the same records, even
     * after a restart), else the oldest pending records up to {@code maxRecords} and {@code maxBytes}
     * (at least one), which become pinned. Empty when nothing is pending.
     */
    public synchronized Optional<Batch> next(int maxRecords, long maxBytes) {
        try {
            Optional<String> pinned = meta("pinned");
            List<Entry> entries = new ArrayList<>();
            if (pinned.isPresent()) {
                String[] range = pinned.get().split("-");
                long first = Long.parseLong(range[0]);
                long last = Long.parseLong(range[1]);
                read("WHERE seq BETWEEN " + first + " AND " + last, Integer.MAX_VALUE, Long.MAX_VALUE, entries);
                if (!entries.isEmpty()) {
                    return Optional.of(new Batch(batchId(entries), entries));
                }
                unpin();
            }
            read("", maxRecords, maxBytes, entries);
            if (entries.isEmpty()) {
                return Optional.empty();
            }
            Batch batch = new Batch(batchId(entries), entries);
            pin(batch.first(), batch.last());
            conn.commit();
            return Optional.of(batch);
        } catch (SQLException e) {
            rollback();
            throw new StoreException(StoreException.Reason.FAILED, "cloud outbox read failed: " + e.getMessage(), e);
        }
    }

    private String batchId(List<Entry> entries) {
        return outboxId + ":" + entries.get(0).seq() + "-" + entries.get(entries.size() - 1).seq();
    }

    private void read(String where, int limit, long maxBytes, List<Entry> into) throws SQLException {
        long total = 0;
        try (PreparedStatement q = conn.prepareStatement(
                "SELECT seq, record_id, kind, device_id, json, bytes FROM outbox " + where + " ORDER BY seq LIMIT ?")) {
            q.setInt(1, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long size = rs.getLong(6);
                    if (!into.isEmpty() && total + size > maxBytes) {
                        break;
                    }
                    total += size;
                    into.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                }
            }
        }
    }

    private void pin(long first, long last) throws SQLException {
        try (PreparedStatement p = conn.prepareStatement("INSERT OR REPLACE INTO meta(key, value) VALUES ('pinned', ?)")) {
            p.setString(1, first + "-" + last);
            p.executeUpdate();
        }
    }

    private void unpin() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("DELETE FROM meta WHERE key = 'pinned'");
        }
    }

    /**
     * Removes the pending records with sequence numbers up to {@code through} (the peer confirmed
     * them). The rest of a pinned batch stays pinned.
     */
    public synchronized void delete(long through) {
        try {
            removeThrough(through);
            conn.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException(StoreException.Reason.FAILED, "cloud outbox delete failed: " + e.getMessage(), e);
        }
    }

    private void removeThrough(long through) throws SQLException {
        try (PreparedStatement sum = conn.prepareStatement("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM outbox WHERE seq <= ?");
             PreparedStatement del = conn.prepareStatement("DELETE FROM outbox WHERE seq <= ?")) {
            sum.setLong(1, through);
            long n;
            long size;
            try (ResultSet rs = sum.executeQuery()) {
                rs.next();
                n = rs.getLong(1);
                size = rs.getLong(2);
            }
            del.setLong(1, through);
            del.executeUpdate();
            Optional<String> pinned = meta("pinned");
            if (pinned.isPresent()) {
                long last = Long.parseLong(pinned.get().split("-")[1]);
                if (last <= through) {
                    unpin();
                } else {
                    pin(through + 1, last);
                }
            }
            count -= n;
            bytes -= size;
        }
    }

    /**
     * Moves the pending records {@code from..through} to the dead letters (the peer refused them for
     * good), keeping at most as many dead letters as the outbox holds records (the oldest go first).
     * Records before {@code from} must already be gone.
     *
     * @return how many old dead letters were dropped to make room
     */
    public synchronized int park(long from, long through, String batchId, String reason, Instant at) {
        try {
            try (PreparedStatement p = conn.prepareStatement("INSERT OR REPLACE INTO dead_letter(seq, record_id, kind,"
                    + " device_id, json, batch_id, reason, parked_at) SELECT seq, record_id, kind, device_id, json, ?, ?, ?"
                    + " FROM outbox WHERE seq BETWEEN ? AND ?")) {
                p.setString(1, batchId);
                p.setString(2, reason.length() > 500 ? reason.substring(0, 500) : reason);
                p.setLong(3, at.toEpochMilli());
                p.setLong(4, from);
                p.setLong(5, through);
                p.executeUpdate();
            }
            removeThrough(through);
            int dropped;
            try (PreparedStatement p = conn.prepareStatement("DELETE FROM dead_letter WHERE seq NOT IN"
                    + " (SELECT seq FROM dead_letter ORDER BY seq DESC LIMIT ?)")) {
                p.setLong(1, maxRecords);
                dropped = p.executeUpdate();
            }
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM dead_letter")) {
                rs.next();
                deadLetters = rs.getLong(1);
            }
            conn.commit();
            return dropped;
        } catch (SQLException e) {
            rollback();
            throw new StoreException(StoreException.Reason.FAILED, "cloud outbox park failed: " + e.getMessage(), e);
        }
    }

    /** The newest dead letters first, at most {@code limit}. */
    public synchronized List<DeadLetter> deadLetters(int limit) {
        List<DeadLetter> out = new ArrayList<>();
        try (PreparedStatement q = conn.prepareStatement("SELECT seq, record_id, kind, device_id, batch_id, reason,"
                + " parked_at, json FROM dead_letter ORDER BY seq DESC LIMIT ?")) {
            q.setInt(1, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), rs.getString(8)));
                }
            }
            conn.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException(StoreException.Reason.FAILED, "cloud outbox read failed: " + e.getMessage(), e);
        }
        return out;
    }

    /** Pending records (not counting dead letters). */
    public synchronized long pending() {
        return count;
    }

    /** Bytes of pending record JSON. */
    public synchronized long pendingBytes() {
        return bytes;
    }

    /** Dead letters kept. */
    public synchronized long deadLetterCount() {
        return deadLetters;
    }

    private Optional<String> meta(String key) throws SQLException {
        try (PreparedStatement q = conn.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
            q.setString(1, key);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private void rollback() {
        try {
            conn.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the next call reports it
        }
    }

    @Override
    public synchronized void close() {
        try {
            conn.close();
        } catch (SQLException e) {
            throw new StoreException(StoreException.Reason.FAILED, "cannot close the cloud outbox: " + e.getMessage(), e);
        }
    }
}
