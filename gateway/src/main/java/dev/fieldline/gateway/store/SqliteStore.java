package dev.fieldline.gateway.store;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The embedded store: one SQLite file in WAL mode with {@code synchronous=FULL} (a commit survives
 * power loss). One writer thread group-commits every write ({@link GroupCommitWriter}); a small
 * pool of connections serves queries, which WAL lets run beside the writer.
 */
public final class SqliteStore implements TelemetryStore {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    private final SqliteStoreConfig config;
    private final Connection writerConnection;
    private final WriteSession session;
    private final GroupCommitWriter<WriteSession> writer;
    private final java.util.List<java.util.function.Consumer<AlertRecord>> alertListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final BlockingQueue<Connection> readers;
    private final List<Connection> allReaders;
    /** Device id to its labels (sorted), for {@link #labels}; replaced whole after each committed change. */
    private final ConcurrentHashMap<String, Map<String, String>> labels = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SqliteStore(SqliteStoreConfig config, Connection writerConnection, WriteSession session,
            List<Connection> readers, Metrics metrics) {
        this.config = config;
        this.writerConnection = writerConnection;
        this.session = session;
        this.allReaders = List.copyOf(readers);
        this.readers = new ArrayBlockingQueue<>(readers.size(), false, readers);
        this.writer = new GroupCommitWriter<>("fieldline-store", writerConnection, session,
                config.queueCapacity(), config.maxBatch(), metrics);
    }

    /** Opens (creating if needed) and migrates the database, and starts the writer thread. */
    public static SqliteStore open(SqliteStoreConfig config, Metrics metrics) {
        Path file = config.file().toAbsolutePath();
        List<Connection> opened = new ArrayList<>();
        try {
            Files.createDirectories(file.getParent());
            Connection w = connect(file, config.busyTimeout(), true);
            opened.add(w);
            int applied = Migrations.sqlite().apply(w);
            List<Connection> readers = new ArrayList<>();
            for (int i = 0; i < config.readConnections(); i++) {
                Connection r = connect(file, config.busyTimeout(), false);
                opened.add(r);
                readers.add(r);
            }
            SqliteStore store = new SqliteStore(config, w, new WriteSession(w), readers, metrics);
            store.loadLabels();
            store.writer.start();
            log.debug("opened {} ({} migrations applied)", file, applied);
            return store;
        } catch (IOException | SQLException e) {
            closeQuietly(opened);
            throw new StoreException(StoreException.Reason.FAILED, "cannot open the database " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
    }

    /**
     * A connection to the database file in WAL mode with full sync and the busy timeout; a writer
     * connection is left out of autocommit, a reader is query-only. Also used by the device registry,
     * which keeps its own connection to the same file.
     */
    public static Connection connect(Path file, Duration busyTimeout, boolean writer) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        c.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        c.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        // Deferred transactions (the default): sqlite-jdbc begins the next transaction right after each
        // commit, so IMMEDIATE would hold the write lock between batches and lock out other processes.
        // Every write transaction starts with a write, so it never has to upgrade a read snapshot.
        Connection conn = c.createConnection("jdbc:sqlite:" + file);
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            if (!rs.next() || !"wal".equalsIgnoreCase(rs.getString(1))) {
                conn.close();
                throw new SQLException("the database did not switch to WAL mode (is the file on a network share?)");
            }
        }
        if (writer) {
            conn.setAutoCommit(false);
        } else {
            try (Statement s = conn.createStatement()) {
                s.execute("PRAGMA query_only = 1");
            }
        }
        return conn;
    }

    public Path file() {
        return config.file();
    }

    /** Writes waiting for the writer thread. */
    public int queuedWrites() {
        return writer.queued();
    }

    // ------------------------------------------------------------------ writes

    @Override
    public CompletableFuture<AppendResult> append(Decoded message) {
        return writer.submit("append " + message.kind().suffix() + " from " + message.deviceId(), s -> s.append(message));
    }

    @Override
    public CompletableFuture<CommandRecord> createCommand(String deviceId, Command command, Instant at) {
        DeviceIds.require(deviceId, "deviceId");
        return writer.submit("create command " + command.id(), s -> s.createCommand(deviceId, command, at));
    }

    @Override
    public CompletableFuture<Boolean> markDelivered(String deviceId, String commandId, Instant at) {
        return writer.submit("deliver command " + commandId, s -> s.markDelivered(deviceId, commandId, at));
    }

    @Override
    public CompletableFuture<AlertRecord> raise(Alert alert) {
        return announced(writer.submit("raise alert on " + alert.deviceId(), s -> s.insertAlert(alert)));
    }

    @Override
    public void addAlertListener(java.util.function.Consumer<AlertRecord> listener) {
        alertListeners.add(listener);
    }

    /** Tells the alert listeners about a stored alert; the caller's future is returned as it is. */
    private CompletableFuture<AlertRecord> announced(CompletableFuture<AlertRecord> raised) {
        raised.thenAccept(stored -> {
            for (java.util.function.Consumer<AlertRecord> l : alertListeners) {
                try {
                    l.accept(stored);
                } catch (RuntimeException e) {
                    log.warn("alert listener failed on alert {}: {}", stored.id(), e.toString());
                }
            }
        });
        return raised;
    }

    @Override
    public CompletableFuture<AlertRecord> raise(Alert alert, String dedupKey) {
        if (dedupKey == null || dedupKey.isEmpty()) {
            throw new IllegalArgumentException("dedupKey must not be empty");
        }
        return announced(writer.submit("raise alert " + dedupKey, s -> s.raiseDeduplicated(alert, dedupKey)));
    }

    @Override
    public CompletableFuture<Optional<AlertRecord>> resolveUnresolved(String dedupKey, Instant at, String by) {
        return writer.submit("resolve alert " + dedupKey, s -> s.resolveUnresolved(dedupKey, at, by));
    }

    @Override
    public CompletableFuture<AlertRecord> acknowledge(long alertId, Instant at, String by, Optional<String> note) {
        return transition(alertId, AlertState.ACKNOWLEDGED, at, by, note);
    }

    @Override
    public CompletableFuture<AlertRecord> resolve(long alertId, Instant at, String by, Optional<String> note) {
        return transition(alertId, AlertState.RESOLVED, at, by, note);
    }

    private CompletableFuture<AlertRecord> transition(long id, AlertState next, Instant at, String by, Optional<String> note) {
        // a refused transition is an answer, not a failed write: the writer returns it and it is turned into the error here
        return writer.submit(next.code() + " alert " + id, s -> s.transition(id, next, at, by, note)).thenApply(t -> {
            if (t.current().isEmpty()) {
                throw new StoreException(StoreException.Reason.NOT_FOUND, "no alert " + id);
            }
            if (!t.changed()) {
                throw new StoreException(StoreException.Reason.CONFLICT, "alert " + id + " is " + t.record().state().code()
                        + "; only " + allowedFrom(next) + " alerts can become " + next.code());
            }
            return t.record();
        });
    }

    private static String allowedFrom(AlertState next) {
        return String.join(" or ", java.util.Arrays.stream(AlertState.values()).filter(s -> s.canBecome(next))
                .map(AlertState::code).toList());
    }

    @Override
    public CompletableFuture<Map<String, String>> replaceLabels(String deviceId, Map<String, String> newLabels, Instant at) {
        DeviceIds.require(deviceId, "deviceId");
        Map<String, String> checked = Collections.unmodifiableMap(DeviceLabelRules.check(newLabels));
        return writer.submit("replace labels of " + deviceId, s -> s.replaceLabels(deviceId, checked, at)).thenApply(m -> {
            if (m.isEmpty()) {
                labels.remove(deviceId);
            } else {
                labels.put(deviceId, m);
            }
            return m;
        });
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Map<String, String> labels(String deviceId) {
        return labels.getOrDefault(deviceId, Map.of());
    }

    private void loadLabels() {
        Map<String, Map<String, String>> all = new HashMap<>();
        list("label query", "SELECT device_id, name, value FROM device_labels", List.of(), rs -> all
                .computeIfAbsent(rs.getString(1), k -> new TreeMap<>()).put(rs.getString(2), rs.getString(3)));
        all.forEach((device, m) -> labels.put(device, Collections.unmodifiableMap(m)));
    }

    @FunctionalInterface
    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(String what, Query<T> query) {
        if (closed) {
            throw new StoreException(StoreException.Reason.CLOSED, "the store is closed");
        }
        Connection c;
        try {
            c = readers.poll(config.busyTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException(StoreException.Reason.FAILED, "interrupted waiting for a database connection");
        }
        if (c == null) {
            throw new StoreException(StoreException.Reason.OVERLOADED,
                    "no database connection free within " + config.busyTimeout().toMillis() + " ms");
        }
        try {
            return query.run(c);
        } catch (SQLException e) {
            throw new StoreException(StoreException.Reason.FAILED, what + " failed: " + e.getMessage(), e);
        } finally {
            readers.add(c);
        }
    }

    @Override
    public List<StoredReading> readings(ReadingQuery q) {
        Where w = new Where()
                .and("device_id = ?", q.deviceId())
                .and("name = ?", q.metric())
                .and("ts >= ?", q.from().map(Instant::toEpochMilli))
                .and("ts < ?", q.to().map(Instant::toEpochMilli));
        return list("reading query", "SELECT device_id, boot_id, seq, name, unit, num_value, bool_value, str_value, "
                + "data_value, sum_value, ts FROM readings" + w.sql + " ORDER BY ts DESC, id DESC LIMIT ?",
                w.args(q.limit()), SqliteStore::reading);
    }

    private static StoredReading reading(ResultSet rs) throws SQLException {
        long boot = rs.getLong("boot_id");
        Optional<Sequence> seq = rs.wasNull() ? Optional.empty() : Optional.of(new Sequence(boot, rs.getLong("seq")));
        Optional<Value> value;
        double num = rs.getDouble("num_value");
        if (!rs.wasNull()) {
            value = Optional.of(new Value.Num(num));
        } else {
            int bool = rs.getInt("bool_value");
            if (!rs.wasNull()) {
                value = Optional.of(new Value.Bool(bool != 0));
            } else {
                String str = rs.getString("str_value");
                byte[] data = rs.getBytes("data_value");
                value = str != null ? Optional.of(new Value.Text(str))
                        : data != null ? Optional.of(new Value.Data(data)) : Optional.empty();
            }
        }
        double sum = rs.getDouble("sum_value");
        OptionalDouble s = rs.wasNull() ? OptionalDouble.empty() : OptionalDouble.of(sum);
        Reading r = new Reading(rs.getString("name"), rs.getString("unit"), value, s, Instant.ofEpochMilli(rs.getLong("ts")));
        return new StoredReading(rs.getString("device_id"), r, seq);
    }

    private static final String DEVICE_COLUMNS = "id, first_seen, last_seen, transport, messages, readings, state, "
            + "boot_id, uptime_ms, heap_bytes, samples, counters, status_time, sensors";

    @Override
    public List<DeviceRecord> devices() {
        return list("device query", "SELECT " + DEVICE_COLUMNS + " FROM devices ORDER BY last_seen DESC, id", List.of(),
                SqliteStore::device);
    }

    @Override
    public Optional<DeviceRecord> device(String deviceId) {
        return list("device query", "SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ?", List.of(deviceId),
                SqliteStore::device).stream().findFirst();
    }

    private static DeviceRecord device(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        Optional<Status> status = Optional.empty();
        String state = rs.getString("state");
        if (state != null) {
            status = Optional.of(new Status(id, rs.getLong("boot_id"), Instant.ofEpochMilli(rs.getLong("status_time")),
                    DeviceState.fromCode(state).orElse(DeviceState.OFFLINE), Duration.ofMillis(rs.getLong("uptime_ms")),
                    rs.getLong("heap_bytes"), rs.getLong("samples"), ValueJson.counters(rs.getString("counters")),
                    ValueJson.sensors(rs.getString("sensors"))));
        }
        return new DeviceRecord(id, Instant.ofEpochMilli(rs.getLong("first_seen")), Instant.ofEpochMilli(rs.getLong("last_seen")),
                Transport.valueOf(rs.getString("transport").toUpperCase(Locale.ROOT)), rs.getLong("messages"),
                rs.getLong("readings"), status);
    }

    private static final String COMMAND_COLUMNS = "id, device_id, name, args, issued_at, state, created_at, updated_at, result_message";

    @Override
    public List<CommandRecord> commands(String deviceId, int limit) {
        return commandQuery("WHERE device_id = ? ORDER BY created_at DESC, id LIMIT ?", List.of(deviceId, limit));
    }

    @Override
    public Optional<CommandRecord> command(String commandId) {
        return commandQuery("WHERE id = ?", List.of(commandId)).stream().findFirst();
    }

    @Override
    public List<CommandRecord> pendingCommands() {
        return commandQuery("WHERE state = ? ORDER BY created_at, id", List.of(CommandState.PENDING.code()));
    }

    private List<CommandRecord> commandQuery(String where, List<Object> args) {
        return list("command query", "SELECT " + COMMAND_COLUMNS + " FROM commands " + where, args, rs -> {
            Command cmd = new Command(rs.getString("id"), rs.getString("name"), ValueJson.values(rs.getString("args")),
                    Instant.ofEpochMilli(rs.getLong("issued_at")));
            return new CommandRecord(rs.getString("device_id"), cmd, CommandState.fromCode(rs.getString("state")).orElseThrow(),
                    Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")),
                    Optional.ofNullable(rs.getString("result_message")));
        });
    }

    @Override
    public List<AlertRecord> alerts(AlertQuery q) {
        Where w = new Where().and("device_id = ?", q.deviceId()).and("state = ?", q.state().map(AlertState::code));
        return list("alert query", "SELECT " + AlertRows.COLUMNS + " FROM alerts" + w.sql
                + " ORDER BY created_at DESC, id DESC LIMIT ?", w.args(q.limit()), AlertRows::alert);
    }

    @Override
    public Optional<AlertRecord> alert(long alertId) {
        return list("alert query", "SELECT " + AlertRows.COLUMNS + " FROM alerts WHERE id = ?", List.of(alertId),
                AlertRows::alert).stream().findFirst();
    }

    @Override
    public List<StoredEvent> events(EventQuery q) {
        Where w = new Where().and("device_id = ?", q.deviceId()).and("type = ?", q.type()).and("name = ?", q.name());
        return list("event query", "SELECT id, device_id, boot_id, seq, ts, type, severity, name, message, attributes, "
                + "received_at FROM events" + w.sql + " ORDER BY ts DESC, id DESC LIMIT ?", w.args(q.limit()), rs -> {
                    Event e = new Event(rs.getString("device_id"), new Sequence(rs.getLong("boot_id"), rs.getLong("seq")),
                            Instant.ofEpochMilli(rs.getLong("ts")), rs.getString("type"),
                            Severity.fromCode(rs.getString("severity")).orElse(Severity.INFO), rs.getString("name"),
                            rs.getString("message"), ValueJson.values(rs.getString("attributes")));
                    return new StoredEvent(rs.getLong("id"), e, Instant.ofEpochMilli(rs.getLong("received_at")));
                });
    }

    @Override
    public CompletableFuture<GatewayEvent> appendGatewayEvent(GatewayEvent event) {
        return writer.submit(event.type() + " event on " + event.deviceId(), s -> s.insertGatewayEvent(event));
    }

    @Override
    public List<GatewayEvent> gatewayEvents(String type, Optional<String> deviceId, Optional<String> name, int limit) {
        Where w = new Where().and("type = ?", Optional.of(type)).and("device_id = ?", deviceId).and("name = ?", name);
        return list("gateway event query", "SELECT id, device_id, type, name, severity, message, body, ts, created_at "
                + "FROM gateway_events" + w.sql + " ORDER BY id DESC LIMIT ?", w.args(limit), rs -> new GatewayEvent(
                        rs.getLong("id"), rs.getString("device_id"), rs.getString("type"), rs.getString("name"),
                        Severity.fromCode(rs.getString("severity")).orElse(Severity.INFO), rs.getString("message"),
                        ValueJson.object(rs.getString("body")), Instant.ofEpochMilli(rs.getLong("ts")),
                        Instant.ofEpochMilli(rs.getLong("created_at"))));
    }

    @Override
    public List<BootSequence> boots(String deviceId) {
        return list("boot query", "SELECT boot_id, max_seq, received, first_seen, last_seen FROM boots "
                + "WHERE device_id = ? ORDER BY boot_id DESC", List.of(deviceId),
                rs -> new BootSequence(deviceId, rs.getLong(1), rs.getLong(2), rs.getLong(3),
                        Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5))));
    }

    @Override
    public List<SeqRange> gaps(String deviceId, long bootId, int limit) {
        return list("gap query", "SELECT prev + 1, seq - 1 FROM ("
                + "SELECT seq, LAG(seq, 1, 0) OVER (ORDER BY seq) AS prev FROM messages "
                + "WHERE device_id = ? AND boot_id = ?) AS s WHERE seq > prev + 1 ORDER BY seq LIMIT ?",
                List.of(deviceId, bootId, limit), rs -> new SeqRange(rs.getLong(1), rs.getLong(2)));
    }

    @Override
    public long committedThrough(String deviceId, long bootId, long from) {
        if (from < 1) {
            throw new IllegalArgumentException("from must be >= 1, was " + from);
        }
        return read("commit watermark query", c -> {
            try (PreparedStatement boot = c.prepareStatement(
                    "SELECT max_seq, received FROM boots WHERE device_id = ? AND boot_id = ?")) {
                bind(boot, List.of(deviceId, bootId));
                try (ResultSet rs = boot.executeQuery()) {
                    if (!rs.next() || rs.getLong(1) < from) {
                        return from - 1;
                    }
                    if (rs.getLong(1) == rs.getLong(2)) {
                        return rs.getLong(1); // no gap at all: everything up to the highest is stored
                    }
                }
            }
            try (PreparedStatement first = c.prepareStatement(
                    "SELECT 1 FROM messages WHERE device_id = ? AND boot_id = ? AND seq = ?")) {
                bind(first, List.of(deviceId, bootId, from));
                try (ResultSet rs = first.executeQuery()) {
                    if (!rs.next()) {
                        return from - 1;
                    }
                }
            }
            // the first stored seq >= from whose successor is missing ends the run (walks the primary key in order)
            try (PreparedStatement end = c.prepareStatement("SELECT m.seq FROM messages m WHERE m.device_id = ? "
                    + "AND m.boot_id = ? AND m.seq >= ? AND NOT EXISTS (SELECT 1 FROM messages n "
                    + "WHERE n.device_id = m.device_id AND n.boot_id = m.boot_id AND n.seq = m.seq + 1) "
                    + "ORDER BY m.seq LIMIT 1")) {
                bind(end, List.of(deviceId, bootId, from));
                try (ResultSet rs = end.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : from - 1;
                }
            }
        });
    }

    @FunctionalInterface
    private interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> list(String what, String sql, List<Object> args, Row<T> row) {
        return read(what, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                bind(p, args);
                List<T> out = new ArrayList<>();
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(row.map(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Optional filters joined with AND, with their arguments in order. */
    private static final class Where {
        final StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
        private final List<Object> args = new ArrayList<>();

        Where and(String clause, Optional<?> value) {
            value.ifPresent(v -> {
                sql.append(" AND ").append(clause);
                args.add(v);
            });
            return this;
        }

        List<Object> args(Object... more) {
            List<Object> all = new ArrayList<>(args);
            all.addAll(List.of(more));
            return all;
        }
    }

    private static void bind(PreparedStatement p, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            p.setObject(i + 1, args.get(i));
        }
    }

    @Override
    public boolean healthy() {
        if (closed) {
            return false;
        }
        try {
            return read("health check", c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    return rs.next();
                }
            });
        } catch (StoreException e) {
            log.debug("health check failed: {}", e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.close();
        try {
            session.close();
        } catch (SQLException e) {
            log.debug("closing statements: {}", e.toString());
        }
        List<Connection> all = new ArrayList<>(allReaders);
        all.add(writerConnection);
        closeQuietly(all);
        log.debug("closed {}", config.file());
    }

    private static void closeQuietly(List<Connection> connections) {
        for (Connection c : connections) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing a connection: {}", e.toString());
            }
        }
    }
}
