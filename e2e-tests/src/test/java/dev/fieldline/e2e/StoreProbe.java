package dev.fieldline.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads a gateway's SQLite store directly (read-only), to check exactly-once over counts far beyond
 * what the API pages through.
 */
final class StoreProbe {
    private final String url;

    StoreProbe(Path dataDir) {
        this.url = "jdbc:sqlite:file:" + dataDir.resolve("fieldline.db").toAbsolutePath() + "?mode=ro";
    }

    /** Counts of one device's readings: all rows, and distinct (boot, seq, idx) positions. */
    record Counts(long rows, long distinct, long messages) {
    }

    Counts counts(String deviceId) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement(
                        "SELECT COUNT(*), COUNT(DISTINCT boot_id || ':' || seq || ':' || idx), COUNT(DISTINCT boot_id || ':' || seq)"
                                + " FROM readings WHERE device_id = ?")) {
            s.setString(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return new Counts(r.getLong(1), r.getLong(2), r.getLong(3));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }

    /** The highest sequence number stored for one boot of a device (0 if none). */
    long maxSeq(String deviceId, long bootId) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement(
                        "SELECT COALESCE(MAX(max_seq), 0) FROM boots WHERE device_id = ? AND boot_id = ?")) {
            s.setString(1, deviceId);
            s.setLong(2, bootId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }

    /** The counters of the device's latest status (heartbeat), and its sample count under "samples". */
    java.util.Map<String, Long> statusCounters(String deviceId) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement("SELECT counters, samples FROM devices WHERE id = ?")) {
            s.setString(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                java.util.Map<String, Long> out = new java.util.TreeMap<>();
                if (!r.next() || r.getString(1) == null) {
                    return out;
                }
                com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.getString(1));
                json.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asLong()));
                out.put("samples", r.getLong(2));
                return out;
            }
        } catch (SQLException | java.io.IOException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }

    /** Sequence numbers missing in a boot: max_seq minus messages received. */
    long missing(String deviceId) {
        try (Connection c = DriverManager.getConnection(url);
                PreparedStatement s = c.prepareStatement(
                        "SELECT COALESCE(SUM(max_seq - received), 0) FROM boots WHERE device_id = ?")) {
            s.setString(1, deviceId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + url, e);
        }
    }
}
