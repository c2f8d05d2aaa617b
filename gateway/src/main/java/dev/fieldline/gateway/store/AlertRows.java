package dev.fieldline.gateway.store;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertState;
import dev.fieldline.protocol.Severity;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The alerts table's columns and rows, read the same way by the query pool and the writer. */
final class AlertRows {
    static final String COLUMNS = "id, device_id, rule, metric, value, threshold, severity, message, reading_ts, created_at, "
            + "state, dedup_key, count, last_seen, acknowledged_at, acknowledged_by, resolved_at, resolved_by, note";

    private AlertRows() {
    }

    static AlertRecord alert(ResultSet rs) throws SQLException {
        Alert a = new Alert(rs.getString("device_id"), rs.getString("rule"), rs.getString("metric"),
                rs.getDouble("value"), rs.getDouble("threshold"),
                Severity.fromCode(rs.getString("severity")).orElse(Severity.WARNING), rs.getString("message"),
                Instant.ofEpochMilli(rs.getLong("reading_ts")), Instant.ofEpochMilli(rs.getLong("created_at")));
        long lastSeen = rs.getLong("last_seen");
        Instant last = rs.wasNull() ? a.createdAt() : Instant.ofEpochMilli(lastSeen);
        return new AlertRecord(rs.getLong("id"), a, AlertState.fromCode(rs.getString("state")).orElse(AlertState.OPEN),
                Optional.ofNullable(rs.getString("dedup_key")), Math.max(1, rs.getLong("count")), last,
                change(rs, "acknowledged_at", "acknowledged_by"), change(rs, "resolved_at", "resolved_by"),
                Optional.ofNullable(rs.getString("note")));
    }

    private static Optional<AlertRecord.Change> change(ResultSet rs, String at, String by) throws SQLException {
        long t = rs.getLong(at);
        if (rs.wasNull()) {
            return Optional.empty();
        }
        String who = rs.getString(by);
        return Optional.of(new AlertRecord.Change(Instant.ofEpochMilli(t), who == null ? "unknown" : who));
    }
}
