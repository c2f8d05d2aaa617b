package dev.fieldline.gateway.registry;

import dev.fieldline.gateway.registry.RegistryException.Reason;
import dev.fieldline.gateway.store.Migrations;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.protocol.KeyIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's device registry: enrolled device keys and tokens, one-time enrollment tokens, and
 * web API tokens, in the gateway's SQLite database (tables from migration V2) behind an in-memory
 * cache. Every change is written through to the database and the cache at once, so the hot paths
 * ({@link #authenticate}, {@link #keyByKid}, {@link #isDisabled}, {@link #authenticateApiToken})
 * never wait on SQLite, and a disabled device is refused from the next message on.
 *
 * <p>Secrets: the registry stores SHA-256 of every token ({@link Secrets}) and compares in constant
 * time; token values exist only in the return value of the call that created them. The exception is
 * the DTLS PSK ({@link DevicePsk}), which a PSK server must know.
 *
 * <p>Writes are serialised on the registry; reads of the cache are lock-free.
 */
public final class DeviceRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);
    /** Default lifetime of an enrollment token. */
    public static final Duration DEFAULT_ENROLLMENT_TTL = Duration.ofHours(24);
    /** Longest lifetime of an enrollment token. */
    public static final Duration MAX_ENROLLMENT_TTL = Duration.ofDays(30);
    private static final int MAX_TTL_DAYS = 30;
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(5);
    private static final byte[] NO_HASH = new byte[32];
    private static final String PURPOSE_ENROLL = "enroll";
    private static final String PURPOSE_REKEY = "rekey";

    /** A device as cached: its public view and its secrets. */
    private record Entry(DeviceKey key, Optional<byte[]> tokenHash, Optional<byte[]> psk) {
    }

    /** An API token as cached. */
    private record CachedToken(ApiToken info, byte[] hash) {
    }

    private final Connection db;
    private final Clock clock;
    private final Map<String, Entry> devices = new ConcurrentHashMap<>();
    private final Map<String, Entry> byKid = new ConcurrentHashMap<>();
    private final Map<String, CachedToken> apiTokens = new ConcurrentHashMap<>();
    private final List<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();
    private boolean closed;

    private DeviceRegistry(Connection db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Opens the registry in {@code {dataDir}/fieldline.db}, migrating the schema if needed. */
    public static DeviceRegistry open(Path dataDir, Clock clock) {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(clock, "clock");
        Path file = dataDir.resolve(SqliteStoreConfig.DEFAULT_FILE_NAME).toAbsolutePath();
        Connection c = null;
        try {
            Files.createDirectories(file.getParent());
            c = SqliteStore.connect(file, BUSY_TIMEOUT, true);
            Migrations.sqlite().apply(c);
            DeviceRegistry r = new DeviceRegistry(c, clock);
            r.load();
            return r;
        } catch (java.io.IOException | SQLException e) {
            closeQuietly(c);
            throw new RegistryException(Reason.FAILED, "cannot open the device registry in " + file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                log.debug("closing the registry connection failed", e);
            }
        }
    }

    private void load() throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT device_id, kid, public_key, token_hash, psk, state, created_at,"
                + " enrolled_at, rekeyed_at FROM device_credentials"); ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                cache(entry(rs));
            }
        }
        try (PreparedStatement p = db.prepareStatement(
                "SELECT id, token_hash, name, role, created_at, last_used, revoked_at FROM api_tokens WHERE revoked_at IS NULL");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                CachedToken t = apiToken(rs);
                apiTokens.put(hex(t.hash()), t);
            }
        }
        db.commit();
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        byte[] spki = rs.getBytes("public_key");
        Optional<PublicKey> key = Optional.ofNullable(spki).map(DeviceRegistry::parseDeviceKey);
        DeviceKey k = new DeviceKey(rs.getString("device_id"), key.map(KeyIds::of), key,
                KeyState.fromCode(rs.getString("state")), Instant.ofEpochMilli(rs.getLong("created_at")),
                optionalInstant(rs, "enrolled_at"), optionalInstant(rs, "rekeyed_at"));
        return new Entry(k, Optional.ofNullable(rs.getBytes("token_hash")), Optional.ofNullable(rs.getBytes("psk")));
    }

    private static CachedToken apiToken(ResultSet rs) throws SQLException {
        Role role = Role.fromCode(rs.getString("role")).orElseThrow(() -> new SQLException("unknown role in api_tokens"));
        ApiToken info = new ApiToken(rs.getLong("id"), rs.getString("name"), role, Instant.ofEpochMilli(rs.getLong("created_at")),
                optionalInstant(rs, "last_used"), optionalInstant(rs, "revoked_at"));
        return new CachedToken(info, rs.getBytes("token_hash"));
    }

    private static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(v));
    }

    private void cache(Entry e) {
        Entry previous = devices.put(e.key().deviceId(), e);
        if (previous != null) {
            previous.key().kidHex().ifPresent(k -> byKid.remove(k, previous));
        }
        e.key().kidHex().ifPresent(k -> byKid.put(k, e));
    }

    /** Called with a device id whenever a device is disabled or re-keyed: close its live connections. */
    public void addRevocationListener(Consumer<String> listener) {
        revocationListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void revoked(String deviceId) {
        for (Consumer<String> l : revocationListeners) {
            try {
                l.accept(deviceId);
            } catch (RuntimeException e) {
                log.warn("revocation listener failed for device {}", deviceId, e);
            }
        }
    }

    // ------------------------------------------------------------------ enrollment

    /**
     * Issues a one-time enrollment token.
     *
     * @param deviceId the only device that may use it, or empty for any not yet enrolled device
     * @param ttl how long it works (at most {@value #MAX_TTL_DAYS} days)
     * @param createdBy who asked (an API token name, {@code cli}, ...), recorded
     */
    public EnrollmentToken issueEnrollmentToken(Optional<String> deviceId, Duration ttl, String createdBy) {
        deviceId.ifPresent(d -> requireDeviceId(d));
        return issue(deviceId, ttl, createdBy, PURPOSE_ENROLL);
    }

    private synchronized EnrollmentToken issue(Optional<String> deviceId, Duration ttl, String createdBy, String purpose) {
        if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_ENROLLMENT_TTL) > 0) {
            throw new RegistryException(Reason.BAD_REQUEST, "ttl must be positive and at most " + MAX_TTL_DAYS + " days, was " + ttl);
        }
        if (createdBy == null || createdBy.isBlank()) {
            throw new IllegalArgumentException("createdBy must not be blank");
        }
        String token = Secrets.newToken();
        Instant now = clock.instant();
        Instant expires = now.plus(ttl);
        write("issue an enrollment token", () -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO enrollment_tokens (token_hash, created_at, expires_at,"
                    + " created_by, device_id, purpose) VALUES (?, ?, ?, ?, ?, ?)")) {
                p.setBytes(1, Secrets.hash(token));
                p.setLong(2, now.toEpochMilli());
                p.setLong(3, expires.toEpochMilli());
                p.setString(4, createdBy);
                p.setString(5, deviceId.orElse(null));
                p.setString(6, purpose);
                p.executeUpdate();
            }
            return null;
        });
        return new EnrollmentToken(token, expires, deviceId);
    }

    /**
     * Enrolls a device: checks the one-time token, registers the public key and returns fresh
     * credentials. The token is spent only if enrollment succeeds. With a re-key token the device's
     * old key and token stop working at once (and {@link #addRevocationListener listeners} hear of it).
     *
     * @param subjectPublicKeyInfo the device's EC P-256 public key, X.509 SubjectPublicKeyInfo DER
     * @throws RegistryException with the reason (invalid, used, expired or mismatched token, bad key, ...)
     */
    public DeviceCredentials enroll(String deviceId, String token, byte[] subjectPublicKeyInfo) {
        requireDeviceId(deviceId);
        if (token == null || token.isEmpty()) {
            throw new RegistryException(Reason.INVALID_TOKEN, "an enrollment token is required");
        }
        PublicKey key = parseDeviceKey(subjectPublicKeyInfo);
        byte[] kid = KeyIds.of(key);
        String deviceToken = Secrets.newToken();
        boolean rekey;
        synchronized (this) {
            Instant now = clock.instant();
            rekey = write("enroll " + deviceId, () -> {
                String purpose;
                try (PreparedStatement p = db.prepareStatement(
                        "SELECT expires_at, used_at, device_id, purpose FROM enrollment_tokens WHERE token_hash = ?")) {
                    p.setBytes(1, Secrets.hash(token));
                    try (ResultSet rs = p.executeQuery()) {
                        if (!rs.next()) {
                            throw new RegistryException(Reason.INVALID_TOKEN, "the enrollment token is not valid");
                        }
                        rs.getLong("used_at");
                        if (!rs.wasNull()) {
                            throw new RegistryException(Reason.TOKEN_USED, "the enrollment token was used already");
                        }
                        if (!now.isBefore(Instant.ofEpochMilli(rs.getLong("expires_at")))) {
                            throw new RegistryException(Reason.TOKEN_EXPIRED, "the enrollment token has expired");
                        }
                        String bound = rs.getString("device_id");
                        if (bound != null && !bound.equals(deviceId)) {
                            throw new RegistryException(Reason.TOKEN_DEVICE_MISMATCH,
                                    "the enrollment token is for another device");
                        }
                        purpose = rs.getString("purpose");
                    }
                }
                Entry existing = devices.get(deviceId);
                boolean isRekey = PURPOSE_REKEY.equals(purpose);
                if (existing != null && existing.key().enrolled() && !isRekey) {
                    throw new RegistryException(Reason.ALREADY_ENROLLED, "device '" + deviceId
                            + "' is enrolled already; re-key it to register a new key");
                }
                Entry owner = byKid.get(KeyIds.hex(kid));
                if (owner != null && !owner.key().deviceId().equals(deviceId)) {
                    throw new RegistryException(Reason.KEY_IN_USE, "this public key is registered to another device");
                }
                try (PreparedStatement p = db.prepareStatement("UPDATE enrollment_tokens SET used_at = ? WHERE token_hash = ?")) {
                    p.setLong(1, now.toEpochMilli());
                    p.setBytes(2, Secrets.hash(token));
                    p.executeUpdate();
                }
                try (PreparedStatement p = db.prepareStatement("INSERT INTO device_credentials (device_id, kid, public_key,"
                        + " token_hash, psk, state, created_at, enrolled_at, rekeyed_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?, 'enabled', ?, ?, NULL, ?)"
                        + " ON CONFLICT (device_id) DO UPDATE SET kid = excluded.kid, public_key = excluded.public_key,"
                        + " token_hash = excluded.token_hash, psk = excluded.psk, updated_at = excluded.updated_at,"
                        + " enrolled_at = COALESCE(device_credentials.enrolled_at, excluded.enrolled_at),"
                        + " rekeyed_at = CASE WHEN device_credentials.enrolled_at IS NULL THEN NULL ELSE excluded.updated_at END")) {
                    p.setString(1, deviceId);
                    p.setString(2, KeyIds.hex(kid));
                    p.setBytes(3, key.getEncoded());
                    p.setBytes(4, Secrets.hash(deviceToken));
                    p.setBytes(5, DevicePsk.derive(deviceToken));
                    p.setLong(6, now.toEpochMilli());
                    p.setLong(7, now.toEpochMilli());
                    p.setLong(8, now.toEpochMilli());
                    p.executeUpdate();
                }
                return existing != null && existing.key().enrolled();
            });
            reload(deviceId);
        }
        log.debug("device {} {} (kid {})", deviceId, rekey ? "re-keyed" : "enrolled", KeyIds.hex(kid));
        if (rekey) {
            revoked(deviceId);
        }
        return new DeviceCredentials(deviceId, KeyIds.hex(kid), deviceToken);
    }

    /**
     * Starts a re-key of an enrolled device: issues an enrollment token bound to it. Until the device
     * enrolls with it, its current key and token keep working; once it has, they stop.
     */
    public EnrollmentToken rekey(String deviceId, Duration ttl, String createdBy) {
        Entry e = devices.get(requireDeviceId(deviceId));
        if (e == null || !e.key().enrolled()) {
            throw new RegistryException(Reason.NOT_FOUND, "device '" + deviceId + "' is not enrolled");
        }
        return issue(Optional.of(deviceId), ttl, createdBy, PURPOSE_REKEY);
    }

    // ------------------------------------------------------------------ devices

    /** Every device the registry knows, by id. */
    public List<DeviceKey> devices() {
        return devices.values().stream().map(Entry::key).sorted(Comparator.comparing(DeviceKey::deviceId)).toList();
    }

    public Optional<DeviceKey> device(String deviceId) {
        return Optional.ofNullable(devices.get(deviceId)).map(Entry::key);
    }

    /**
     * Disables a device (known or not: a device never enrolled can be shut out too). Its live
     * connections are closed through the {@link #addRevocationListener listeners}; it is refused on
     * every transport until {@link #enable}d.
     */
    public void disable(String deviceId) {
        setState(requireDeviceId(deviceId), KeyState.DISABLED);
        revoked(deviceId);
    }

    /** Enables a disabled device again. */
    public void enable(String deviceId) {
        if (!devices.containsKey(requireDeviceId(deviceId))) {
            throw new RegistryException(Reason.NOT_FOUND, "device '" + deviceId + "' is not in the registry");
        }
        setState(deviceId, KeyState.ENABLED);
    }

    private synchronized void setState(String deviceId, KeyState state) {
        long now = clock.millis();
        write("set " + deviceId + " " + state.code(), () -> {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO device_credentials (device_id, state, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at")) {
                p.setString(1, deviceId);
                p.setString(2, state.code());
                p.setLong(3, now);
                p.setLong(4, now);
                p.executeUpdate();
            }
            return null;
        });
        reload(deviceId);
        log.debug("device {} {}", deviceId, state.code());
    }

    /** True if the device is disabled (an unknown device is not). Lock-free. */
    public boolean isDisabled(String deviceId) {
        Entry e = devices.get(deviceId);
        return e != null && !e.key().enabled();
    }

    /**
     * Authenticates a device by its token (the MQTT password). Lock-free and constant-time in the
     * token: the hash is compared with {@link Secrets#sameHash} even for an unknown device.
     */
    public DeviceAuth authenticate(String deviceId, byte[] token) {
        Entry e = deviceId == null ? null : devices.get(deviceId);
        byte[] presented = Secrets.hash(token == null ? new byte[0] : token);
        byte[] expected = e == null ? NO_HASH : e.tokenHash().orElse(NO_HASH);
        boolean match = Secrets.sameHash(presented, expected) && token != null && token.length > 0;
        if (e == null) {
            return DeviceAuth.UNKNOWN_DEVICE;
        }
        if (!e.key().enabled()) {
            return DeviceAuth.DISABLED;
        }
        if (e.tokenHash().isEmpty()) {
            return DeviceAuth.NOT_ENROLLED;
        }
        return match ? DeviceAuth.OK : DeviceAuth.BAD_TOKEN;
    }

    /** The enrolled key with this key id (for signature verification), enabled or not: check {@link DeviceKey#state()}. */
    public Optional<DeviceKey> keyByKid(byte[] kid) {
        if (kid == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(byKid.get(KeyIds.hex(kid))).map(Entry::key);
    }

    /** The DTLS PSK of an enabled, enrolled device (identity = device id); a copy. Secret: never log it. */
    public Optional<byte[]> dtlsPsk(String deviceId) {
        Entry e = devices.get(deviceId);
        if (e == null || !e.key().enabled()) {
            return Optional.empty();
        }
        return e.psk().map(byte[]::clone);
    }

    // ------------------------------------------------------------------ API tokens

    /** Creates a web API token; its value is in the result and nowhere else. */
    public synchronized IssuedApiToken createApiToken(String name, Role role) {
        if (name == null || !name.matches("[A-Za-z0-9._@ -]{1,64}")) {
            throw new RegistryException(Reason.BAD_REQUEST, "name must be 1-64 of A-Z a-z 0-9 . _ @ - and space");
        }
        Objects.requireNonNull(role, "role");
        String token = Secrets.newToken();
        byte[] hash = Secrets.hash(token);
        Instant now = clock.instant();
        long id = write("create API token", () -> {
            try (PreparedStatement p = db.prepareStatement(
                    "INSERT INTO api_tokens (token_hash, name, role, created_at) VALUES (?, ?, ?, ?)",
                    PreparedStatement.RETURN_GENERATED_KEYS)) {
                p.setBytes(1, hash);
                p.setString(2, name);
                p.setString(3, role.code());
                p.setLong(4, now.toEpochMilli());
                p.executeUpdate();
                try (ResultSet keys = p.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
        ApiToken info = new ApiToken(id, name, role, now, Optional.empty(), Optional.empty());
        apiTokens.put(hex(hash), new CachedToken(info, hash));
        return new IssuedApiToken(info, token);
    }

    /** Every API token ever created, revoked ones included; never their values. */
    public synchronized List<ApiToken> apiTokens() {
        return read("list API tokens", () -> {
            List<ApiToken> out = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT id, token_hash, name, role, created_at, last_used, revoked_at FROM api_tokens ORDER BY id");
                    ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    CachedToken t = apiToken(rs);
                    CachedToken cached = apiTokens.get(hex(t.hash()));
                    out.add(cached != null ? cached.info() : t.info());
                }
            }
            return out;
        });
    }

    /** Revokes an API token at once; false if there is no active token with that id. */
    public synchronized boolean revokeApiToken(long id) {
        long now = clock.millis();
        int changed = write("revoke API token " + id, () -> {
            try (PreparedStatement p = db.prepareStatement("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                p.setLong(1, now);
                p.setLong(2, id);
                return p.executeUpdate();
            }
        });
        apiTokens.values().removeIf(t -> t.info().id() == id);
        return changed > 0;
    }

    /**
     * The active API token with this value. Served from the cache; a miss falls back to the database
     * once (tokens created by {@code fieldline token create} while the gateway runs).
     */
    public Optional<ApiToken> authenticateApiToken(String token) {
        if (token == null || token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        byte[] hash = Secrets.hash(token);
        CachedToken t = apiTokens.get(hex(hash));
        if (t == null) {
            t = loadApiToken(hash).orElse(null);
        }
        if (t == null || !Secrets.sameHash(hash, t.hash())) {
            return Optional.empty();
        }
        return Optional.of(touch(t).info());
    }

    private synchronized Optional<CachedToken> loadApiToken(byte[] hash) {
        if (closed) {
            return Optional.empty();
        }
        Optional<CachedToken> found = read("look up an API token", () -> {
            try (PreparedStatement p = db.prepareStatement("SELECT id, token_hash, name, role, created_at, last_used, revoked_at"
                    + " FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
                p.setBytes(1, hash);
                try (ResultSet rs = p.executeQuery()) {
                    return rs.next() ? Optional.of(apiToken(rs)) : Optional.<CachedToken>empty();
                }
            }
        });
        found.ifPresent(t -> apiTokens.put(hex(hash), t));
        return found;
    }

    /** Records the use; written to the database at most once a minute per token. */
    private CachedToken touch(CachedToken t) {
        Instant now = clock.instant();
        if (t.info().lastUsed().isPresent() && t.info().lastUsed().get().plus(LAST_USED_RESOLUTION).isAfter(now)) {
            return t;
        }
        ApiToken i = t.info();
        CachedToken updated = new CachedToken(new ApiToken(i.id(), i.name(), i.role(), i.createdAt(), Optional.of(now),
                i.revokedAt()), t.hash());
        apiTokens.replace(hex(t.hash()), t, updated);
        synchronized (this) {
            if (!closed) {
                write("record API token use", () -> {
                    try (PreparedStatement p = db.prepareStatement("UPDATE api_tokens SET last_used = ? WHERE id = ?")) {
                        p.setLong(1, now.toEpochMilli());
                        p.setLong(2, i.id());
                        return p.executeUpdate();
                    }
                });
            }
        }
        return updated;
    }

    /** True if an active admin API token exists. */
    public boolean hasAdminToken() {
        return apiTokens.values().stream().anyMatch(t -> t.info().role() == Role.ADMIN && t.info().active());
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private <T> T write(String what, Work<T> work) {
        if (closed) {
            throw new RegistryException(Reason.FAILED, "the registry is closed");
        }
        try {
            T result = work.run();
            db.commit();
            return result;
        } catch (SQLException e) {
            rollback();
            throw new RegistryException(Reason.FAILED, what + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            rollback();
            throw e;
        }
    }

    private <T> T read(String what, Work<T> work) {
        return write(what, work);
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException e) {
            log.warn("registry rollback failed", e);
        }
    }

    private void reload(String deviceId) {
        read("reload " + deviceId, () -> {
            try (PreparedStatement p = db.prepareStatement("SELECT device_id, kid, public_key, token_hash, psk, state, created_at,"
                    + " enrolled_at, rekeyed_at FROM device_credentials WHERE device_id = ?")) {
                p.setString(1, deviceId);
                try (ResultSet rs = p.executeQuery()) {
                    if (rs.next()) {
                        cache(entry(rs));
                    }
                }
            }
            return null;
        });
    }

    private static String requireDeviceId(String deviceId) {
        if (!DeviceIds.isValid(deviceId)) {
            throw new RegistryException(Reason.BAD_REQUEST, "device must be 1-64 of A-Z a-z 0-9 . _ - starting with a letter"
                    + " or digit");
        }
        return deviceId;
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** Parses and checks a device key: EC on P-256 (secp256r1), as SubjectPublicKeyInfo DER. */
    public static PublicKey parseDeviceKey(byte[] subjectPublicKeyInfo) {
        if (subjectPublicKeyInfo == null || subjectPublicKeyInfo.length == 0 || subjectPublicKeyInfo.length > 1024) {
            throw new RegistryException(Reason.BAD_KEY, "publicKey must be an EC P-256 SubjectPublicKeyInfo (DER, base64)");
        }
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(subjectPublicKeyInfo));
            if (!(key instanceof ECPublicKey ec) || !isP256(ec.getParams())) {
                throw new RegistryException(Reason.BAD_KEY, "publicKey must be on curve P-256 (secp256r1)");
            }
            return key;
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new RegistryException(Reason.BAD_KEY, "publicKey is not a valid EC P-256 SubjectPublicKeyInfo");
        }
    }

    private static boolean isP256(ECParameterSpec spec) throws GeneralSecurityException {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec p256 = p.getParameterSpec(ECParameterSpec.class);
        return spec.getCurve().equals(p256.getCurve()) && spec.getOrder().equals(p256.getOrder())
                && spec.getGenerator().equals(p256.getGenerator()) && spec.getCofactor() == p256.getCofactor();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(db);
    }
}
