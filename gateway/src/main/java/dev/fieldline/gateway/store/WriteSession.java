package dev.fieldline.gateway.store;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Value;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The writer connection's prepared statements and the writes made of them. Used only by the
 * writer thread. The SQL is portable between SQLite (3.24+) and PostgreSQL.
 */
final class WriteSession implements AutoCloseable {
    private final PreparedStatement insertMessage;
    private final PreparedStatement upsertBoot;
    private final PreparedStatement insertReading;
    private final PreparedStatement upsertDevice;
    private final PreparedStatement upsertStatus;
    private final PreparedStatement insertEvent;
    private final PreparedStatement settleCommand;
    private final PreparedStatement insertCommand;
    private final PreparedStatement deliverCommand;
    private final PreparedStatement insertAlert;
    private final PreparedStatement bumpAlert;
    private final PreparedStatement unresolvedAlert;
    private final PreparedStatement alertById;
    private final PreparedStatement acknowledgeAlert;
    private final PreparedStatement resolveAlert;
    private final PreparedStatement deleteLabels;
    private final PreparedStatement insertLabel;
    private final PreparedStatement insertGatewayEvent;

    WriteSession(Connection c) throws SQLException {
        insertMessage = c.prepareStatement("INSERT INTO messages (device_id, boot_id, seq, kind, received_at, transport) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id, boot_id, seq) DO NOTHING");
        upsertBoot = c.prepareStatement("INSERT INTO boots (device_id, boot_id, max_seq, received, first_seen, last_seen) "
                + "VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (device_id, boot_id) DO UPDATE SET "
                + "max_seq = CASE WHEN excluded.max_seq > boots.max_seq THEN excluded.max_seq ELSE boots.max_seq END, "
                + "received = boots.received + 1, last_seen = excluded.last_seen");
        insertReading = c.prepareStatement("INSERT INTO readings (device_id, boot_id, seq, idx, name, unit, num_value, "
                + "bool_value, str_value, data_value, sum_value, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        upsertDevice = c.prepareStatement("INSERT INTO devices (id, first_seen, last_seen, transport, messages, readings) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                + "last_seen = CASE WHEN excluded.last_seen > devices.last_seen THEN excluded.last_seen ELSE devices.last_seen END, "
                + "transport = excluded.transport, messages = devices.messages + excluded.messages, "
                + "readings = devices.readings + excluded.readings");
        upsertStatus = c.prepareStatement("INSERT INTO devices (id, first_seen, last_seen, transport, messages, readings, "
                + "state, boot_id, uptime_ms, heap_bytes, samples, counters, status_time, sensors) "
                + "VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                + "last_seen = CASE WHEN excluded.last_seen > devices.last_seen THEN excluded.last_seen ELSE devices.last_seen END, "
                + "transport = excluded.transport, state = excluded.state, boot_id = excluded.boot_id, "
                + "uptime_ms = excluded.uptime_ms, heap_bytes = excluded.heap_bytes, samples = excluded.samples, "
                + "counters = excluded.counters, status_time = excluded.status_time, "
                + "sensors = COALESCE(excluded.sensors, devices.sensors)");
        insertEvent = c.prepareStatement("INSERT INTO events (device_id, boot_id, seq, ts, type, severity, name, message, "
                + "attributes, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        settleCommand = c.prepareStatement("UPDATE commands SET state = ?, result_message = ?, updated_at = ? "
                + "WHERE id = ? AND device_id = ?");
        insertCommand = c.prepareStatement("INSERT INTO commands (id, device_id, name, args, issued_at, state, created_at, "
                + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        deliverCommand = c.prepareStatement("UPDATE commands SET state = ?, updated_at = ? "
                + "WHERE id = ? AND device_id = ? AND state = ?");
        insertAlert = c.prepareStatement("INSERT INTO alerts (device_id, rule, metric, value, threshold, severity, message, "
                + "reading_ts, created_at, state, dedup_key, count, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                Statement.RETURN_GENERATED_KEYS);
        bumpAlert = c.prepareStatement("UPDATE alerts SET count = count + 1, last_seen = ? WHERE id = ?");
        unresolvedAlert = c.prepareStatement("SELECT " + AlertRows.COLUMNS + " FROM alerts WHERE dedup_key = ? AND state <> ?");
        alertById = c.prepareStatement("SELECT " + AlertRows.COLUMNS + " FROM alerts WHERE id = ?");
        acknowledgeAlert = c.prepareStatement("UPDATE alerts SET state = ?, acknowledged_at = ?, acknowledged_by = ?, "
                + "note = COALESCE(?, note) WHERE id = ?");
        resolveAlert = c.prepareStatement("UPDATE alerts SET state = ?, resolved_at = ?, resolved_by = ?, "
                + "note = COALESCE(?, note) WHERE id = ?");
        deleteLabels = c.prepareStatement("DELETE FROM device_labels WHERE device_id = ?");
        insertLabel = c.prepareStatement("INSERT INTO device_labels (device_id, name, value, updated_at) VALUES (?, ?, ?, ?)");
        insertGatewayEvent = c.prepareStatement("INSERT INTO gateway_events (device_id, type, name, severity, message, body, ts, "
                + "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS);
    }

    AppendResult append(Decoded message) throws SQLException {
        if (message instanceof Decoded.StatusMessage s) {
            status(s.status(), s.transport(), s.receivedAt());
            return AppendResult.APPENDED;
        }
        Optional<Sequence> sequence = message.sequence();
        if (sequence.isPresent() && !newMessage(message, sequence.get())) {
            return AppendResult.DUPLICATE;
        }
        int readings = 0;
        if (message instanceof Decoded.TelemetryMessage t) {
            readings = readings(t.telemetry());
        } else if (message instanceof Decoded.EventMessage e) {
            event(e.event(), e.receivedAt());
        } else if (message instanceof Decoded.ResultMessage r) {
            settle(r.result());
        }
        device(message.deviceId(), message.receivedAt(), message.transport(), 1, readings);
        return AppendResult.APPENDED;
    }

    private boolean newMessage(Decoded m, Sequence s) throws SQLException {
        long at = m.receivedAt().toEpochMilli();
        insertMessage.setString(1, m.deviceId());
        insertMessage.setLong(2, s.bootId());
        insertMessage.setLong(3, s.seq());
        insertMessage.setString(4, m.kind().suffix());
        insertMessage.setLong(5, at);
        insertMessage.setString(6, m.transport().code());
        if (insertMessage.executeUpdate() == 0) {
            return false;
        }
        upsertBoot.setString(1, m.deviceId());
        upsertBoot.setLong(2, s.bootId());
        upsertBoot.setLong(3, s.seq());
        upsertBoot.setLong(4, at);
        upsertBoot.setLong(5, at);
        upsertBoot.executeUpdate();
        return true;
    }

    private int readings(Telemetry t) throws SQLException {
        List<Reading> readings = t.readings();
        insertReading.clearBatch(); // a batch left over from a failed transaction must not be replayed
        for (int i = 0; i < readings.size(); i++) {
            Reading r = readings.get(i);
            PreparedStatement p = insertReading;
            p.setString(1, t.deviceId());
            if (t.sequence().isPresent()) {
                p.setLong(2, t.sequence().get().bootId());
                p.setLong(3, t.sequence().get().seq());
            } else {
                p.setNull(2, Types.BIGINT);
                p.setNull(3, Types.BIGINT);
            }
            p.setInt(4, i);
            p.setString(5, r.name());
            p.setString(6, r.unit());
            Value v = r.value().orElse(null);
            setDouble(p, 7, v instanceof Value.Num n ? n.value() : null);
            if (v instanceof Value.Bool b) {
                p.setInt(8, b.value() ? 1 : 0);
            } else {
                p.setNull(8, Types.SMALLINT);
            }
            p.setString(9, v instanceof Value.Text s ? s.value() : null);
            if (v instanceof Value.Data d) {
                p.setBytes(10, d.value());
            } else {
                p.setNull(10, Types.BLOB);
            }
            setDouble(p, 11, r.sum().isPresent() ? r.sum().getAsDouble() : null);
            p.setLong(12, r.time().toEpochMilli());
            p.addBatch();
        }
        insertReading.executeBatch();
        return readings.size();
    }

    private static void setDouble(PreparedStatement p, int index, Double value) throws SQLException {
        if (value == null) {
            p.setNull(index, Types.DOUBLE);
        } else {
            p.setDouble(index, value);
        }
    }

    private void event(Event e, Instant receivedAt) throws SQLException {
        insertEvent.setString(1, e.deviceId());
        insertEvent.setLong(2, e.sequence().bootId());
        insertEvent.setLong(3, e.sequence().seq());
        insertEvent.setLong(4, e.time().toEpochMilli());
        insertEvent.setString(5, e.type());
        insertEvent.setString(6, e.severity().code());
        insertEvent.setString(7, e.name());
        insertEvent.setString(8, e.message());
        insertEvent.setString(9, ValueJson.values(e.attributes()));
        insertEvent.setLong(10, receivedAt.toEpochMilli());
        insertEvent.executeUpdate();
    }

    private void settle(CommandResult r) throws SQLException {
        settleCommand.setString(1, (r.ok() ? CommandState.SUCCEEDED : CommandState.FAILED).code());
        settleCommand.setString(2, r.message());
        settleCommand.setLong(3, r.time().toEpochMilli());
        settleCommand.setString(4, r.commandId());
        settleCommand.setString(5, r.deviceId());
        settleCommand.executeUpdate();
    }

    private void device(String id, Instant at, Transport transport, int messages, int readings) throws SQLException {
        upsertDevice.setString(1, id);
        upsertDevice.setLong(2, at.toEpochMilli());
        upsertDevice.setLong(3, at.toEpochMilli());
        upsertDevice.setString(4, transport.code());
        upsertDevice.setLong(5, messages);
        upsertDevice.setLong(6, readings);
        upsertDevice.executeUpdate();
    }

    private void status(Status s, Transport transport, Instant at) throws SQLException {
        PreparedStatement p = upsertStatus;
        p.setString(1, s.deviceId());
        p.setLong(2, at.toEpochMilli());
        p.setLong(3, at.toEpochMilli());
        p.setString(4, transport.code());
        p.setString(5, s.state().code());
        p.setLong(6, s.bootId());
        p.setLong(7, s.uptime().toMillis());
        p.setLong(8, s.heapUsedBytes());
        p.setLong(9, s.samples());
        p.setString(10, ValueJson.counters(s.counters()));
        p.setLong(11, s.time().toEpochMilli());
        if (s.sensors().isEmpty()) {
            p.setNull(12, Types.VARCHAR); // keeps the sensors an earlier status reported
        } else {
            p.setString(12, ValueJson.sensors(s.sensors()));
        }
        p.executeUpdate();
    }

    CommandRecord createCommand(String deviceId, Command command, Instant at) throws SQLException {
        insertCommand.setString(1, command.id());
        insertCommand.setString(2, deviceId);
        insertCommand.setString(3, command.name());
        insertCommand.setString(4, ValueJson.values(command.args()));
        insertCommand.setLong(5, command.issuedAt().toEpochMilli());
        insertCommand.setString(6, CommandState.PENDING.code());
        insertCommand.setLong(7, at.toEpochMilli());
        insertCommand.setLong(8, at.toEpochMilli());
        insertCommand.executeUpdate();
        return new CommandRecord(deviceId, command, CommandState.PENDING, at, at, Optional.empty());
    }

    boolean markDelivered(String deviceId, String commandId, Instant at) throws SQLException {
        deliverCommand.setString(1, CommandState.DELIVERED.code());
        deliverCommand.setLong(2, at.toEpochMilli());
        deliverCommand.setString(3, commandId);
        deliverCommand.setString(4, deviceId);
        deliverCommand.setString(5, CommandState.PENDING.code());
        return deliverCommand.executeUpdate() == 1;
    }

    AlertRecord insertAlert(Alert a) throws SQLException {
        return insertAlert(a, null);
    }

    /** Bumps the key's unresolved alert (count and last seen) if there is one, else inserts the alert. */
    AlertRecord raiseDeduplicated(Alert a, String dedupKey) throws SQLException {
        Optional<AlertRecord> open = unresolved(dedupKey);
        if (open.isEmpty()) {
            return insertAlert(a, dedupKey);
        }
        bumpAlert.setLong(1, a.createdAt().toEpochMilli());
        bumpAlert.setLong(2, open.get().id());
        bumpAlert.executeUpdate();
        return alert(open.get().id()).orElseThrow();
    }

    /** Resolves the key's unresolved alert, if any. */
    Optional<AlertRecord> resolveUnresolved(String dedupKey, Instant at, String by) throws SQLException {
        Optional<AlertRecord> open = unresolved(dedupKey);
        if (open.isEmpty()) {
            return open;
        }
        return Optional.of(transition(open.get().id(), AlertState.RESOLVED, at, by, Optional.empty()).record());
    }

    /** An alert's state change as asked, or why it was refused. */
    record Transition(Optional<AlertRecord> current, boolean changed) {
        AlertRecord record() {
            return current.orElseThrow();
        }
    }

    /** Moves an alert to {@code next} if its state allows (changes nothing otherwise). */
    Transition transition(long id, AlertState next, Instant at, String by, Optional<String> note) throws SQLException {
        Optional<AlertRecord> current = alert(id);
        if (current.isEmpty() || !current.get().state().canBecome(next)) {
            return new Transition(current, false);
        }
        PreparedStatement p = next == AlertState.ACKNOWLEDGED ? acknowledgeAlert : resolveAlert;
        p.setString(1, next.code());
        p.setLong(2, at.toEpochMilli());
        p.setString(3, by);
        p.setString(4, note.orElse(null));
        p.setLong(5, id);
        p.executeUpdate();
        return new Transition(alert(id), true);
    }

    private Optional<AlertRecord> unresolved(String dedupKey) throws SQLException {
        unresolvedAlert.setString(1, dedupKey);
        unresolvedAlert.setString(2, AlertState.RESOLVED.code());
        return one(unresolvedAlert);
    }

    private Optional<AlertRecord> alert(long id) throws SQLException {
        alertById.setLong(1, id);
        return one(alertById);
    }

    private static Optional<AlertRecord> one(PreparedStatement p) throws SQLException {
        try (ResultSet rs = p.executeQuery()) {
            return rs.next() ? Optional.of(AlertRows.alert(rs)) : Optional.empty();
        }
    }

    /** Replaces every label of the device. */
    Map<String, String> replaceLabels(String deviceId, Map<String, String> labels, Instant at) throws SQLException {
        deleteLabels.setString(1, deviceId);
        deleteLabels.executeUpdate();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            insertLabel.setString(1, deviceId);
            insertLabel.setString(2, e.getKey());
            insertLabel.setString(3, e.getValue());
            insertLabel.setLong(4, at.toEpochMilli());
            insertLabel.executeUpdate();
        }
        return labels;
    }

    private AlertRecord insertAlert(Alert a, String dedupKey) throws SQLException {
        PreparedStatement p = insertAlert;
        p.setString(1, a.deviceId());
        p.setString(2, a.rule());
        p.setString(3, a.metric());
        p.setDouble(4, a.value());
        p.setDouble(5, a.threshold());
        p.setString(6, a.severity().code());
        p.setString(7, a.message());
        p.setLong(8, a.readingTime().toEpochMilli());
        p.setLong(9, a.createdAt().toEpochMilli());
        p.setString(10, AlertState.OPEN.code());
        p.setString(11, dedupKey);
        p.setLong(12, a.createdAt().toEpochMilli());
        p.executeUpdate();
        try (ResultSet keys = p.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("no id generated for the alert");
            }
            return new AlertRecord(keys.getLong(1), a, AlertState.OPEN, Optional.ofNullable(dedupKey), 1, a.createdAt(),
                    Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    GatewayEvent insertGatewayEvent(GatewayEvent e) throws SQLException {
        PreparedStatement p = insertGatewayEvent;
        p.setString(1, e.deviceId());
        p.setString(2, e.type());
        p.setString(3, e.name());
        p.setString(4, e.severity().code());
        p.setString(5, e.message());
        p.setString(6, ValueJson.object(e.body()));
        p.setLong(7, e.time().toEpochMilli());
        p.setLong(8, e.createdAt().toEpochMilli());
        p.executeUpdate();
        try (ResultSet keys = p.getGeneratedKeys()) {
            if (!keys.next()) {
                throw new SQLException("no id generated for the gateway event");
            }
            return e.withId(keys.getLong(1));
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement p : List.of(insertMessage, upsertBoot, insertReading, upsertDevice, upsertStatus,
                insertEvent, settleCommand, insertCommand, deliverCommand, insertAlert, bumpAlert, unresolvedAlert, alertById,
                acknowledgeAlert, resolveAlert, deleteLabels, insertLabel, insertGatewayEvent)) {
            p.close();
        }
    }
}
