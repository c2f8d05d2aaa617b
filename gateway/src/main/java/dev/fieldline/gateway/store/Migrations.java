package dev.fieldline.gateway.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schema migrations: numbered SQL resources ({@code V1__initial_schema.sql}, {@code V2__...})
 * listed in order in {@code migrations.list} under a resource directory, applied each in its own
 * transaction and recorded in {@code schema_version}. A database newer than the newest migration is
 * refused rather than used.
 *
 * <p>Statements are separated by a semicolon at the end of a line; lines starting with {@code --}
 * are comments. (No triggers or procedures with inner semicolons.)
 */
public final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

    /** One migration: its number, a description from its file name, and its resource path. */
    public record Migration(int version, String description, String resource) {
    }

    private final List<Migration> migrations;
    private final ClassLoader loader;
    private final Clock clock;

    private Migrations(List<Migration> migrations, ClassLoader loader, Clock clock) {
        this.migrations = List.copyOf(migrations);
        this.loader = loader;
        this.clock = clock;
    }

    /** The gateway's SQLite schema. */
    public static Migrations sqlite() {
        return fromClasspath("db/sqlite", Migrations.class.getClassLoader(), Clock.systemUTC());
    }

    /** Migrations listed in {@code directory/migrations.list} on the class path. */
    public static Migrations fromClasspath(String directory, ClassLoader loader, Clock clock) {
        String list = directory + "/migrations.list";
        List<Migration> out = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(list)) {
            if (in == null) {
                throw new StoreException(StoreException.Reason.SCHEMA, "no migration list " + list + " on the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                Matcher m = NAME.matcher(line);
                if (!m.matches()) {
                    throw new StoreException(StoreException.Reason.SCHEMA,
                            list + ": '" + line + "' is not named V<number>__<description>.sql");
                }
                int version = Integer.parseInt(m.group(1));
                if (version != out.size() + 1) {
                    throw new StoreException(StoreException.Reason.SCHEMA,
                            list + ": expected version " + (out.size() + 1) + " next, found " + line);
                }
                out.add(new Migration(version, m.group(2).replace('_', ' '), directory + "/" + line));
            }
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.SCHEMA, "cannot read " + list, e);
        }
        return new Migrations(out, loader, clock);
    }

    public List<Migration> migrations() {
        return migrations;
    }

    /** The newest version these migrations reach (0 if there are none). */
    public int latestVersion() {
        return migrations.size();
    }

    /**
     * Brings the database to {@link #latestVersion()}. The connection must not be in autocommit
     * mode; it is left committed.
     *
     * @return the number of migrations applied (0 when the schema was current)
     */
    public int apply(Connection c) {
        try {
            if (c.getAutoCommit()) {
                throw new IllegalArgumentException("the connection must not be in autocommit mode");
            }
            int applied = 0;
            for (Migration m : migrations) {
                // Re-read the version inside each step's transaction, so two processes migrating
                // the same database never both apply a step.
                int current = versionInTransaction(c);
                if (current >= m.version()) {
                    continue;
                }
                try {
                    for (String sql : statements(m)) {
                        try (Statement s = c.createStatement()) {
                            s.executeUpdate(sql);
                        }
                    }
                    try (PreparedStatement p = c.prepareStatement(
                            "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                        p.setInt(1, m.version());
                        p.setString(2, m.description());
                        p.setLong(3, clock.millis());
                        p.executeUpdate();
                    }
                    c.commit();
                    applied++;
                    log.debug("applied schema migration {} ({})", m.version(), m.description());
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw new StoreException(StoreException.Reason.SCHEMA,
                            "schema migration " + m.resource() + " failed: " + e.getMessage(), e);
                }
            }
            versionInTransaction(c);
            c.commit();
            return applied;
        } catch (SQLException e) {
            throw new StoreException(StoreException.Reason.SCHEMA, "cannot migrate the database: " + e.getMessage(), e);
        }
    }

    /** Creates the version table if needed and returns the version; refuses a newer schema. */
    private int versionInTransaction(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE IF NOT EXISTS schema_version ("
                    + "version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        }
        int current = currentVersion(c);
        if (current > latestVersion()) {
            c.rollback();
            throw new StoreException(StoreException.Reason.SCHEMA, "the database schema is version " + current
                    + " but this gateway knows only up to " + latestVersion() + "; use a newer gateway");
        }
        return current;
    }

    /** The version recorded in {@code schema_version}, 0 if the table is absent or empty. */
    public static int currentVersionIfAny(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        try (ResultSet tables = md.getTables(null, null, "schema_version", null)) {
            if (!tables.next()) {
                return 0;
            }
        }
        return currentVersion(c);
    }

    private static int currentVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private List<String> statements(Migration m) {
        try (InputStream in = loader.getResourceAsStream(m.resource())) {
            if (in == null) {
                throw new StoreException(StoreException.Reason.SCHEMA, "migration " + m.resource() + " is listed but missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            String line;
            while ((line = r.readLine()) != null) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("--")) {
                    continue;
                }
                current.append(line).append('\n');
                if (t.endsWith(";")) {
                    String sql = current.toString().strip();
                    out.add(sql.substring(0, sql.length() - 1));
                    current.setLength(0);
                }
            }
            if (!current.toString().isBlank()) {
                throw new StoreException(StoreException.Reason.SCHEMA,
                        "migration " + m.resource() + " ends without a semicolon after its last statement");
            }
            return out;
        } catch (IOException e) {
            throw new StoreException(StoreException.Reason.SCHEMA, "cannot read " + m.resource(), e);
        }
    }
}
