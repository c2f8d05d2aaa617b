package dev.fieldline.gateway.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.gateway.metrics.Metrics;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path dir;

    private Connection connect() throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("m.db"));
        c.setAutoCommit(false);
        return c;
    }

    private static Migrations migrations(String name) {
        return Migrations.fromClasspath("db/" + name, MigrationsTest.class.getClassLoader(), Clock.systemUTC());
    }

    private static List<String> tables(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static int version(Connection c) throws SQLException {
        return Migrations.currentVersionIfAny(c);
    }

    @Test
    void freshDatabaseGetsEverySchemaTableAndIsRecordedAtTheLatestVersion() throws SQLException {
        try (Connection c = connect()) {
            assertThat(Migrations.sqlite().apply(c)).isEqualTo(Migrations.sqlite().latestVersion());
            assertThat(tables(c)).contains("devices", "messages", "boots", "readings", "events", "alerts", "commands",
                    "schema_version");
            assertThat(version(c)).isEqualTo(Migrations.sqlite().latestVersion());
        }
    }

    @Test
    void existingDatabaseIsUpgradedInOrderAndKeepsItsData() throws SQLException {
        try (Connection c = connect()) {
            assertThat(migrations("test-a").apply(c)).isEqualTo(1);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO t1 (name) VALUES ('kept')");
            }
            c.commit();
        }
        try (Connection c = connect()) {
            assertThat(migrations("test-a").apply(c)).as("nothing to do at the same version").isZero();
            assertThat(migrations("test-b").apply(c)).as("only V2 is new").isEqualTo(1);
            assertThat(version(c)).isEqualTo(2);
            assertThat(tables(c)).contains("t1", "t2");
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name, note FROM t1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("kept");
                assertThat(rs.getString(2)).isNull();
            }
        }
    }

    @Test
    void aFailingMigrationIsRolledBackWhole() throws SQLException {
        try (Connection c = connect()) {
            assertThatThrownBy(() -> migrations("test-broken").apply(c))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("V2__broken.sql")
                    .hasMessageContaining("no_such_table");
            assertThat(version(c)).isEqualTo(1);
            assertThat(tables(c)).contains("t1").doesNotContain("t3");
        }
    }

    @Test
    void aDatabaseNewerThanTheGatewayIsRefused() throws SQLException {
        try (Connection c = connect()) {
            migrations("test-b").apply(c);
        }
        try (Connection c = connect()) {
            assertThatThrownBy(() -> migrations("test-a").apply(c))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("schema is version 2")
                    .extracting(e -> ((StoreException) e).reason()).isEqualTo(StoreException.Reason.SCHEMA);
        }
    }

    @Test
    void reopeningTheStoreKeepsItsSchemaAndData() throws Exception {
        SqliteStoreConfig config = SqliteStoreConfig.defaults(dir.resolve("data"));
        try (SqliteStore store = SqliteStore.open(config, new Metrics())) {
            store.append(new dev.fieldline.gateway.ingest.Decoded.StatusMessage(
                    new dev.fieldline.protocol.Status("dev-1", 1, java.time.Instant.EPOCH,
                            dev.fieldline.protocol.DeviceState.ONLINE, java.time.Duration.ZERO, 0, 0, java.util.Map.of()),
                    dev.fieldline.gateway.ingest.Transport.HTTP, java.time.Instant.now())).get();
        }
        try (SqliteStore store = SqliteStore.open(config, new Metrics())) {
            assertThat(store.device("dev-1")).isPresent();
        }
        assertThat(config.file()).exists();
    }

    /** The gateway's class path with its migration list cut after {@code version}: a database as an older gateway left it. */
    private static Migrations sqliteUpTo(int version) {
        ClassLoader real = MigrationsTest.class.getClassLoader();
        ClassLoader older = new ClassLoader(real) {
            @Override
            public java.io.InputStream getResourceAsStream(String name) {
                if (!name.equals("db/sqlite/migrations.list")) {
                    return super.getResourceAsStream(name);
                }
                try (java.io.InputStream in = super.getResourceAsStream(name)) {
                    List<String> kept = new ArrayList<>();
                    for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                        if (line.startsWith("V") && Integer.parseInt(line.substring(1, line.indexOf("__"))) > version) {
                            continue;
                        }
                        kept.add(line);
                    }
                    return new java.io.ByteArrayInputStream(String.join("\n", kept).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return Migrations.fromClasspath("db/sqlite", older, Clock.systemUTC());
    }

    @Test
    void closedAlertsOfAnOlderGatewayBecomeResolvedAndOpenOnesGetALifecycle() throws Exception {
        int lifecycle = 4; // the migration that brought the alert lifecycle
        Path file = dir.resolve(SqliteStoreConfig.DEFAULT_FILE_NAME);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.setAutoCommit(false);
            assertThat(sqliteUpTo(lifecycle - 1).apply(c)).isEqualTo(lifecycle - 1);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO alerts (device_id, rule, metric, value, threshold, severity, message, reading_ts, "
                        + "created_at, state) VALUES ('dev-1', 'threshold', 'temperature', 80, 75, 'warning', 'old', 1000, 2000, 'closed')");
                s.executeUpdate("INSERT INTO alerts (device_id, rule, metric, value, threshold, severity, message, reading_ts, "
                        + "created_at, state) VALUES ('dev-1', 'threshold', 'temperature', 81, 75, 'warning', 'old', 3000, 4000, 'open')");
            }
            c.commit();
        }
        SqliteStoreConfig config = SqliteStoreConfig.defaults(dir);
        try (SqliteStore store = SqliteStore.open(config, new Metrics())) {
            List<dev.fieldline.gateway.analytics.AlertRecord> alerts = store.alerts(
                    new AlertQuery(java.util.Optional.empty(), java.util.Optional.empty(), 10));
            assertThat(alerts).hasSize(2);
            assertThat(alerts.get(1)).satisfies(a -> {
                assertThat(a.state()).isEqualTo(dev.fieldline.gateway.analytics.AlertState.RESOLVED);
                assertThat(a.resolved()).as("when it was closed was never recorded").isEmpty();
                assertThat(a.count()).isEqualTo(1);
                assertThat(a.lastSeen()).isEqualTo(java.time.Instant.ofEpochMilli(2000));
            });
            assertThat(alerts.get(0)).satisfies(a -> {
                assertThat(a.state()).isEqualTo(dev.fieldline.gateway.analytics.AlertState.OPEN);
                assertThat(a.dedupKey()).isEmpty();
            });
            assertThat(store.resolve(alerts.get(0).id(), java.time.Instant.ofEpochMilli(5000), "anonymous",
                    java.util.Optional.empty()).get().state()).isEqualTo(dev.fieldline.gateway.analytics.AlertState.RESOLVED);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM alerts WHERE state = 'closed'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
        }
    }
}
