package dev.fieldline.gateway.federated;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.federated.ClientUpdate;
import dev.fieldline.federated.RoundCoordinator;
import dev.fieldline.federated.TrainingPlan;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.StoreException;
import dev.fieldline.protocol.federated.FlCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Federated rounds in the gateway's SQLite file (tables of migration V6): the global model with its
 * version and strategy state, every round, and the accepted updates of the open round. Keeps its own
 * writer connection to the file, as the device registry does; every write commits before it returns,
 * so what a device was told (accepted) survives a crash. Thread-safe (methods serialise).
 */
public final class SqliteRoundStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, String>> TEXT_MAP = new TypeReference<>() { };
    private static final TypeReference<Map<String, Double>> NUMBER_MAP = new TypeReference<>() { };

    /** What a restart resumes from: the coordinator's snapshot and the model name and strategy it belongs to. */
    public record Saved(String model, String strategy, RoundCoordinator.Snapshot snapshot) {
    }

    private final Connection c;

    private SqliteRoundStore(Connection c) {
        this.c = c;
    }

    /** Opens the store on the gateway's database file; the schema (V6) must be applied already (SqliteStore.open does). */
    public static SqliteRoundStore open(Path dbFile) {
        try {
            return new SqliteRoundStore(SqliteStore.connect(dbFile, Duration.ofSeconds(10), true));
        } catch (SQLException e) {
            throw new StoreException(StoreException.Reason.FAILED, "cannot open the federated rounds in " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** The saved state, if any. */
    public synchronized Optional<Saved> load() {
        return run(() -> {
            String model;
            String strategy;
            int version;
            int lastRound;
            float[] global;
            Map<String, float[]> state;
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT model, version, last_round, weights, strategy, strategy_state FROM fl_model WHERE id = 1");
                    ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    c.commit();
                    return Optional.empty();
                }
                model = rs.getString(1);
                version = rs.getInt(2);
                lastRound = rs.getInt(3);
                global = FlCodec.bytesToFloats(rs.getBytes(4));
                strategy = rs.getString(5);
                state = readState(rs.getBytes(6));
            }
            RoundCoordinator.RoundPlan open = null;
            Map<String, String> rejected = Map.of();
            List<ClientUpdate> received = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT round, version_from, selected, plan, started_at, deadline,"
                    + " rejected FROM fl_rounds WHERE outcome = 'open' ORDER BY round DESC LIMIT 1");
                    ResultSet rs = s.executeQuery()) {
                if (rs.next()) {
                    Map<String, Double> plan = JSON.readValue(rs.getString(4), NUMBER_MAP);
                    open = new RoundCoordinator.RoundPlan(rs.getInt(1), rs.getInt(2), JSON.readValue(rs.getString(3), LIST),
                            TrainingPlan.fromMap(plan), Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6)));
                    rejected = JSON.readValue(rs.getString(7), TEXT_MAP);
                }
            }
            if (open != null) {
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT device_id, delta, examples, metrics FROM fl_updates WHERE round = ? ORDER BY received_at")) {
                    s.setInt(1, open.round());
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            received.add(new ClientUpdate(rs.getString(1), FlCodec.bytesToFloats(rs.getBytes(2)), rs.getLong(3),
                                    JSON.readValue(rs.getString(4), NUMBER_MAP)));
                        }
                    }
                }
            }
            c.commit();
            return Optional.of(new Saved(model, strategy, new RoundCoordinator.Snapshot(version, lastRound, global, state, open,
                    received, rejected)));
        });
    }

    /** Saves the global model and strategy state (first start, and after every round). */
    public synchronized void saveModel(String model, String strategy, RoundCoordinator.Snapshot s, Instant now) {
        run(() -> {
            writeModel(model, strategy, s, now);
            c.commit();
            return null;
        });
    }

    /** Records a round that just started (and the model's last round number). */
    public synchronized void opened(String model, String strategy, RoundCoordinator.Snapshot s) {
        RoundCoordinator.RoundPlan p = s.open();
        run(() -> {
            try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO fl_rounds (round, outcome, version_from,"
                    + " selected, plan, started_at, deadline) VALUES (?, 'open', ?, ?, ?, ?, ?)")) {
                st.setInt(1, p.round());
                st.setInt(2, p.version());
                st.setString(3, JSON.writeValueAsString(p.selected()));
                st.setString(4, JSON.writeValueAsString(p.plan().toMap()));
                st.setLong(5, p.started().toEpochMilli());
                st.setLong(6, p.deadline().toEpochMilli());
                st.executeUpdate();
            }
            writeModel(model, strategy, s, p.started());
            c.commit();
            return null;
        });
    }

    /** Keeps an accepted update of the open round. */
    public synchronized void accepted(int round, ClientUpdate u, Instant at) {
        run(() -> {
            try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO fl_updates (round, device_id, examples,"
                    + " metrics, delta, received_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                st.setInt(1, round);
                st.setString(2, u.clientId());
                st.setLong(3, u.examples());
                st.setString(4, JSON.writeValueAsString(new TreeMap<>(u.metrics())));
                st.setBytes(5, FlCodec.floatsToBytes(u.delta()));
                st.setLong(6, at.toEpochMilli());
                st.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    /** Records the refusals of the open round so far (device → reason). */
    public synchronized void rejected(int round, Map<String, String> rejected) {
        run(() -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE fl_rounds SET rejected = ? WHERE round = ?")) {
                st.setString(1, JSON.writeValueAsString(new TreeMap<>(rejected)));
                st.setInt(2, round);
                st.executeUpdate();
            }
            c.commit();
            return null;
        });
    }

    /** Closes a round: its result, the new model and state, and the round's updates dropped, in one transaction. */
    public synchronized void closed(RoundCoordinator.RoundResult r, Map<String, Double> metrics, String model, String strategy,
            RoundCoordinator.Snapshot s, Instant now) {
        run(() -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE fl_rounds SET outcome = ?, version = ?, contributors = ?,"
                    + " rejected = ?, examples = ?, metrics = ?, reason = ?, closed_at = ? WHERE round = ?")) {
                st.setString(1, r.outcome().name().toLowerCase(java.util.Locale.ROOT));
                st.setInt(2, r.version());
                st.setString(3, JSON.writeValueAsString(r.contributors()));
                st.setString(4, JSON.writeValueAsString(new TreeMap<>(r.rejected())));
                st.setLong(5, r.examples());
                st.setString(6, JSON.writeValueAsString(new TreeMap<>(metrics)));
                st.setString(7, r.reason());
                st.setLong(8, now.toEpochMilli());
                st.setInt(9, r.round());
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM fl_updates WHERE round <= ?")) {
                st.setInt(1, r.round());
                st.executeUpdate();
            }
            writeModel(model, strategy, s, now);
            c.commit();
            return null;
        });
    }

    /** The latest rounds, newest first. */
    public synchronized List<RoundRecord> rounds(int limit) {
        return run(() -> {
            List<RoundRecord> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(SELECT + " ORDER BY round DESC LIMIT ?")) {
                st.setInt(1, limit);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs));
                    }
                }
            }
            c.commit();
            return out;
        });
    }

    public synchronized Optional<RoundRecord> round(int round) {
        return run(() -> {
            Optional<RoundRecord> out = Optional.empty();
            try (PreparedStatement st = c.prepareStatement(SELECT + " WHERE round = ?")) {
                st.setInt(1, round);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        out = Optional.of(record(rs));
                    }
                }
            }
            c.commit();
            return out;
        });
    }

    private static final String SELECT = "SELECT round, outcome, version_from, version, selected, contributors, rejected,"
            + " examples, metrics, plan, reason, started_at, deadline, closed_at FROM fl_rounds";

    private static RoundRecord record(ResultSet rs) throws SQLException, JsonProcessingException {
        int v = rs.getInt(4);
        Optional<Integer> version = rs.wasNull() ? Optional.empty() : Optional.of(v);
        long closed = rs.getLong(14);
        Optional<Instant> closedAt = rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(closed));
        return new RoundRecord(rs.getInt(1), rs.getString(2), rs.getInt(3), version, JSON.readValue(rs.getString(5), LIST),
                JSON.readValue(rs.getString(6), LIST), JSON.readValue(rs.getString(7), TEXT_MAP), rs.getLong(8),
                JSON.readValue(rs.getString(9), NUMBER_MAP), JSON.readValue(rs.getString(10), NUMBER_MAP), rs.getString(11),
                Instant.ofEpochMilli(rs.getLong(12)), Instant.ofEpochMilli(rs.getLong(13)), closedAt);
    }

    private void writeModel(String model, String strategy, RoundCoordinator.Snapshot s, Instant now)
            throws SQLException, IOException {
        try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO fl_model (id, model, version, last_round,"
                + " weights, strategy, strategy_state, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)")) {
            st.setString(1, model);
            st.setInt(2, s.version());
            st.setInt(3, s.lastRound());
            st.setBytes(4, FlCodec.floatsToBytes(s.global()));
            st.setString(5, strategy);
            st.setBytes(6, writeState(s.strategyState()));
            st.setLong(7, now.toEpochMilli());
            st.executeUpdate();
        }
    }

    /** Strategy state: count, then per entry the name (UTF) and a float32 array (length, values). */
    static byte[] writeState(Map<String, float[]> state) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Map<String, float[]> sorted = new TreeMap<>(state);
            out.writeInt(sorted.size());
            for (Map.Entry<String, float[]> e : sorted.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().length);
                out.write(FlCodec.floatsToBytes(e.getValue()));
            }
        }
        return bytes.toByteArray();
    }

    static Map<String, float[]> readState(byte[] bytes) throws IOException {
        Map<String, float[]> state = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                byte[] values = new byte[Math.multiplyExact(in.readInt(), 4)];
                in.readFully(values);
                state.put(name, FlCodec.bytesToFloats(values));
            }
        }
        return state;
    }

    private interface Work<T> {
        T run() throws SQLException, IOException;
    }

    private <T> T run(Work<T> work) {
        try {
            return work.run();
        } catch (SQLException | IOException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the original failure is what matters
            }
            throw new StoreException(StoreException.Reason.FAILED, "federated rounds: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            c.close();
        } catch (SQLException e) {
            throw new StoreException(StoreException.Reason.FAILED, "closing the federated rounds: " + e.getMessage(), e);
        }
    }
}
