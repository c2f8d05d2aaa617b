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
}
