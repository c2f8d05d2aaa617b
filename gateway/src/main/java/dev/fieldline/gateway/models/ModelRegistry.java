package dev.fieldline.gateway.models;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.ingest.CommitListener;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.models.ModelDeployment.State;
import dev.fieldline.gateway.models.ModelRegistryException.Reason;
import dev.fieldline.gateway.security.GatewayIdentity;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.store.DeviceRecord;
import dev.fieldline.gateway.store.Migrations;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.SelfTest;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelOffer;
import dev.fieldline.protocol.model.ModelRelease;
import dev.fieldline.protocol.model.SignedRelease;
import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's model versions and their delivery to devices ({@code docs/federated.md#model-delivery}).
 *
 * <p>{@link #publish} exports a trained model to {@code .tflite}, runs self-test inputs through the
 * micro interpreter to record the outputs a device must reproduce, writes the release manifest
 * ({@link ModelRelease}), signs it with the gateway key (COSE_Sign1 ES256, {@link SignedRelease}) and
 * stores file and signed manifest in {@code {dataDir}/models/{name}/{version}/} (written to a
 * temporary file, synced and renamed) and a row in {@code model_versions}. {@link #rollout} offers a
 * version to devices as a {@code model} command ({@link ModelOffer}) through the command hub; the
 * devices fetch the files over CoAP ({@code /v1/models/{name}/{version}}) or HTTP and answer with a
 * {@code model} event, which {@link #committed} records per device in {@code model_deployments}.
 *
 * <p>Thread-safe; database work is serialised on the registry's connection. Device reports are
 * recorded on a thread of its own ({@code fl-models}), never on the store's completion thread.
 */
public final class ModelRegistry implements CommitListener, AutoCloseable {
    public static final String DIRECTORY = "models";
    public static final String FILE = "model.tflite";
    public static final String SIGNED_MANIFEST = "manifest.cose";
    /** Self-test vectors per release (fewer when the manifest would grow past its limit). */
    public static final int SELF_TEST_VECTORS = 3;
    /** Largest difference accepted in a float output of a self-test. */
    public static final double FLOAT_TOLERANCE = 1e-4;

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration BUSY_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final Connection db;
    private final GatewayIdentity identity;
    private final DefaultDownlink downlink;
    private final TelemetryStore store;
    private final Clock clock;
    private final ExecutorService reports;
    private volatile Supplier<Optional<String>> httpBase = Optional::empty;

    private ModelRegistry(Path directory, Connection db, GatewayIdentity identity, DefaultDownlink downlink,
            TelemetryStore store, Clock clock) {
        this.directory = directory;
        this.db = db;
        this.identity = identity;
        this.downlink = downlink;
        this.store = store;
        this.clock = Clock.tick(clock, Duration.ofMillis(1));
        this.reports = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fl-models");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the registry on {@code {dataDir}/fieldline.db} (its own connection, as the device
     * registry's) and {@code {dataDir}/models/}.
     */
    public static ModelRegistry open(Path dataDir, GatewayIdentity identity, DefaultDownlink downlink, TelemetryStore store,
            Clock clock) {
        Path file = dataDir.resolve(SqliteStoreConfig.DEFAULT_FILE_NAME).toAbsolutePath();
        Connection c = null;
        try {
            Path dir = dataDir.resolve(DIRECTORY);
            Files.createDirectories(dir);
            c = SqliteStore.connect(file, BUSY_TIMEOUT, true);
            Migrations.sqlite().apply(c);
            return new ModelRegistry(dir, c, Objects.requireNonNull(identity, "identity"), downlink, store, clock);
        } catch (IOException | SQLException e) {
            if (c != null) {
                try {
                    c.close();
                } catch (SQLException ignored) {
                    // reported below
                }
            }
            throw new ModelRegistryException(Reason.STORAGE, "cannot open the model registry in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Where offers tell HTTP clients to fetch versions: {@code http://host:port}, when the web API runs. */
    public void httpBase(Supplier<Optional<String>> base) {
        this.httpBase = Objects.requireNonNull(base, "base");
    }

    // ------------------------------------------------------------------ publishing

    /**
     * Exports {@code model} as float32 {@code .tflite}, self-tests, signs and stores it as the next
     * version of {@code name}.
     *
     * @param calibration examples in the model's input domain: the first {@link #SELF_TEST_VECTORS} become the self-test inputs
     * @param metadata what the manifest's {@code source} records (round, metrics, strategy): numbers, booleans, text, or one level of nested maps
     */
    public ModelVersion publish(String name, Sequential model, Dataset calibration, Map<String, ?> metadata) {
        return publishFile(name, export(() -> TfliteExport.float32(model, name)), calibration, metadata);
    }

    /** As {@link #publish}, quantised to int8 with {@code calibration} (all of it) as the calibration set. */
    public ModelVersion publishInt8(String name, Sequential model, Dataset calibration, Map<String, ?> metadata) {
        return publishFile(name, export(() -> TfliteExport.int8(model, calibration.inputs(), calibration.count(),
                TfliteExport.WeightGranularity.PER_TENSOR, name)), calibration, metadata);
    }

    private static byte[] export(Supplier<byte[]> exporter) {
        try {
            return exporter.get();
        } catch (RuntimeException e) {
            throw new ModelRegistryException(Reason.INVALID_MODEL, "the model cannot be exported to TFLite: " + e.getMessage(), e);
        }
    }

    /** Publishes a {@code .tflite} file: self-test inputs from {@code calibration}, outputs from the micro interpreter. */
    public ModelVersion publishFile(String name, byte[] tflite, Dataset calibration, Map<String, ?> metadata) {
        long start = System.nanoTime();
        ModelRelease.requireName(name, "name");
        TfliteModel parsed = parse(tflite);
        List<ModelRelease.Vector> vectors = new ArrayList<>();
        List<ModelRelease.Tensor> ins;
        List<ModelRelease.Tensor> outs;
        try (InferenceSession session = Engines.require("micro").open(parsed, EngineOptions.DEFAULT)) {
            TensorSpec in = session.inputs().get(0);
            int count = Math.min(SELF_TEST_VECTORS, calibration.count());
            for (int i = 0; i < count; i++) {
                byte[] input = tensorBytes(calibration.input(i), in);
                vectors.add(new ModelRelease.Vector(input, SelfTest.record(session, input)));
            }
            if (vectors.isEmpty()) {
                throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "calibration has no examples for the self-test");
            }
            ins = session.inputs().stream().map(ModelRegistry::tensor).toList();
            outs = session.outputs().stream().map(ModelRegistry::tensor).toList();
        } catch (ModelException | IllegalArgumentException e) {
            throw new ModelRegistryException(Reason.INVALID_MODEL, "the micro interpreter cannot run the model: " + e.getMessage(), e);
        }
        ModelVersion v = store(name, tflite, ins, outs, new ModelRelease.SelfTest(FLOAT_TOLERANCE, vectors), metadata);
        log.info("model {} v{} published: {} bytes, {}, {} self-test vectors, in {} ms", name, v.version(), v.bytes(), v.variant(),
                vectors.size(), (System.nanoTime() - start) / 1_000_000);
        return v;
    }

    /**
     * Publishes a file with self-test vectors given by the caller, signed as they are (vectors
     * computed elsewhere; tests use it to publish a release whose self-test a device must fail).
     */
    public ModelVersion publishWithSelfTest(String name, byte[] tflite, ModelRelease.SelfTest selfTest, Map<String, ?> metadata) {
        ModelRelease.requireName(name, "name");
        TfliteModel parsed = parse(tflite);
        try (InferenceSession session = Engines.require("micro").open(parsed, EngineOptions.DEFAULT)) {
            return store(name, tflite, session.inputs().stream().map(ModelRegistry::tensor).toList(),
                    session.outputs().stream().map(ModelRegistry::tensor).toList(), selfTest, metadata);
        } catch (ModelException e) {
            throw new ModelRegistryException(Reason.INVALID_MODEL, "the micro interpreter cannot run the model: " + e.getMessage(), e);
        }
    }

    private static TfliteModel parse(byte[] tflite) {
        try {
            return TfliteModel.parse(tflite);
        } catch (ModelException e) {
            throw new ModelRegistryException(Reason.INVALID_MODEL, "not a valid TFLite model: " + e.getMessage(), e);
        }
    }

    private synchronized ModelVersion store(String name, byte[] tflite, List<ModelRelease.Tensor> ins,
            List<ModelRelease.Tensor> outs, ModelRelease.SelfTest selfTest, Map<String, ?> metadata) {
        Map<String, Value> source = source(metadata);
        long version = latest(name).orElse(0) + 1;
        String variant = ins.get(0).dtype().equals("float32") ? "float32" : ins.get(0).dtype();
        Instant created = clock.instant();
        ModelRelease release;
        byte[] signed;
        try {
            release = fit(new ModelRelease(name, version, created, variant, ModelRelease.sha256(tflite), tflite.length, ins, outs,
                    source, selfTest));
            signed = SignedRelease.sign(release, identity.privateKey(), identity.publicKey());
        } catch (IllegalArgumentException e) {
            throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "cannot write the release manifest: " + e.getMessage(), e);
        }
        Path dir = directory.resolve(name).resolve(Long.toString(version));
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve(FILE), tflite);
            writeAtomically(dir.resolve(SIGNED_MANIFEST), signed);
            try (PreparedStatement p = db.prepareStatement("INSERT INTO model_versions (name, version, variant, sha256, bytes,"
                    + " created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, name);
                p.setLong(2, version);
                p.setString(3, variant);
                p.setString(4, release.sha256());
                p.setLong(5, tflite.length);
                p.setLong(6, created.toEpochMilli());
                p.setString(7, JSON.writeValueAsString(plain(source)));
                p.executeUpdate();
            }
            db.commit();
        } catch (IOException | SQLException e) {
            rollbackQuietly();
            throw new ModelRegistryException(Reason.STORAGE, "cannot store " + name + " v" + version + ": " + e.getMessage(), e);
        }
        return new ModelVersion(name, version, variant, release.sha256(), tflite.length, created, source);
    }

    /** Drops self-test vectors until the manifest fits its limit (at least one stays). */
    private static ModelRelease fit(ModelRelease r) {
        ModelRelease current = r;
        while (true) {
            try {
                current.toJson();
                return current;
            } catch (IllegalArgumentException e) {
                List<ModelRelease.Vector> v = current.selfTest().vectors();
                if (v.size() <= 1) {
                    throw e;
                }
                current = new ModelRelease(r.name(), r.version(), r.created(), r.variant(), r.sha256(), r.bytes(), r.inputs(),
                        r.outputs(), r.source(), new ModelRelease.SelfTest(r.selfTest().tolerance(), v.subList(0, v.size() - 1)));
            }
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static ModelRelease.Tensor tensor(TensorSpec t) {
        List<Integer> shape = new ArrayList<>();
        for (int d : t.shape()) {
            shape.add(d);
        }
        boolean quantised = t.quantization().scale().length > 0 && t.type() != TensorType.FLOAT32;
        return new ModelRelease.Tensor(t.name(), t.type().dtype(), shape,
                quantised ? java.util.OptionalDouble.of(t.quantization().scale()[0]) : java.util.OptionalDouble.empty(),
                quantised ? OptionalLong.of(t.quantization().zeroPoint()[0]) : OptionalLong.empty());
    }

    /** An example's values as the raw bytes of the model's input tensor (quantised when it is int8 or uint8). */
    static byte[] tensorBytes(float[] values, TensorSpec in) {
        if (values.length != in.elementCount()) {
            throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "calibration examples have " + values.length
                    + " values, the model's input takes " + in.elementCount());
        }
        ByteBuffer b = ByteBuffer.allocate(in.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (in.type()) {
                case FLOAT32 -> b.putFloat(v);
                case INT8, UINT8 -> {
                    float scale = in.quantization().scale()[0];
                    long zp = in.quantization().zeroPoint()[0];
                    long q = Math.round(v / scale) + zp;
                    long lo = in.type() == TensorType.INT8 ? -128 : 0;
                    b.put((byte) Math.max(lo, Math.min(lo + 255, q)));
                }
                default -> throw new ModelRegistryException(Reason.INVALID_MODEL, "self-tests feed float32, int8 or uint8 inputs, not "
                        + in.type().dtype());
            }
        }
        return b.array();
    }

    /** Seeded uniform [0, 1) inputs, for publishing without data. */
    public static Dataset randomInputs(int inputSize, int count, long seed) {
        Random r = new Random(seed);
        float[] x = new float[inputSize * count];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        return new Dataset(x, inputSize, new float[count], 1);
    }

    private static Map<String, Value> source(Map<String, ?> metadata) {
        Map<String, Value> out = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (v instanceof Map<?, ?> nested) {
                nested.forEach((k2, v2) -> out.put(k + "_" + k2, value(k + "." + k2, v2)));
            } else {
                out.put(k, value(k, v));
            }
        });
        if (out.size() > 32) {
            throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "metadata has " + out.size() + " entries, at most 32");
        }
        for (String k : out.keySet()) {
            if (!k.matches("[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}")) {
                throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "metadata key '" + k + "' is not a name");
            }
        }
        return out;
    }

    private static Value value(String key, Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return new Value.Num(n.doubleValue());
        }
        if (v instanceof Boolean b) {
            return new Value.Bool(b);
        }
        if (v instanceof CharSequence s && s.length() <= 1024) {
            return new Value.Text(s.toString());
        }
        throw new ModelRegistryException(Reason.INVALID_ARGUMENT, "metadata '" + key + "' must be a finite number, a boolean or text, was "
                + (v == null ? "null" : v.getClass().getSimpleName()));
    }

    private static Map<String, Object> plain(Map<String, Value> source) {
        Map<String, Object> out = new LinkedHashMap<>();
        source.forEach((k, v) -> {
            Object o;
            if (v instanceof Value.Num n) {
                o = n.value() == Math.rint(n.value()) && Math.abs(n.value()) < 1e15 ? (Object) (long) n.value() : n.value();
            } else if (v instanceof Value.Bool b) {
                o = b.value();
            } else if (v instanceof Value.Text t) {
                o = t.value();
            } else {
                o = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(((Value.Data) v).value());
            }
            out.put(k, o);
        });
        return out;
    }

    // ------------------------------------------------------------------ reading

    /** Every version, by name then version. */
    public synchronized List<ModelVersion> versions() {
        return queryVersions("SELECT name, version, variant, sha256, bytes, created_at, source FROM model_versions ORDER BY name, version",
                null);
    }

    /** The versions of one model, oldest first. */
    public synchronized List<ModelVersion> versions(String name) {
        return queryVersions("SELECT name, version, variant, sha256, bytes, created_at, source FROM model_versions WHERE name = ?"
                + " ORDER BY version", name);
    }

    public synchronized Optional<ModelVersion> version(String name, long version) {
        return versions(name).stream().filter(v -> v.version() == version).findFirst();
    }

    private List<ModelVersion> queryVersions(String sql, String name) {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            if (name != null) {
                p.setString(1, name);
            }
            List<ModelVersion> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    Map<String, Object> src = JSON.readValue(rs.getString(7), new TypeReference<LinkedHashMap<String, Object>>() { });
                    out.add(new ModelVersion(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                            Instant.ofEpochMilli(rs.getLong(6)), source(src)));
                }
            }
            db.commit();
            return out;
        } catch (SQLException | IOException e) {
            rollbackQuietly();
            throw new ModelRegistryException(Reason.STORAGE, "cannot read the model versions: " + e.getMessage(), e);
        }
    }

    private OptionalLong latest(String name) {
        List<ModelVersion> v = versions(name);
        return v.isEmpty() ? OptionalLong.empty() : OptionalLong.of(v.get(v.size() - 1).version());
    }

    /** The signed manifest (COSE_Sign1) of a version. */
    public byte[] signedManifest(String name, long version) {
        return read(name, version, SIGNED_MANIFEST);
    }

    /** The release manifest of a version (the signed manifest's payload). */
    public ModelRelease manifest(String name, long version) {
        return ModelRelease.parse(SignedRelease.payload(signedManifest(name, version)));
    }

    /** The {@code .tflite} file of a version. */
    public byte[] file(String name, long version) {
        return read(name, version, FILE);
    }

    private byte[] read(String name, long version, String file) {
        if (!ModelRelease.NAME.matcher(name).matches() || version(name, version).isEmpty()) {
            throw new ModelRegistryException(Reason.NOT_FOUND, "no model " + name + " v" + version);
        }
        try {
            return Files.readAllBytes(directory.resolve(name).resolve(Long.toString(version)).resolve(file));
        } catch (IOException e) {
            throw new ModelRegistryException(Reason.STORAGE, "cannot read " + file + " of " + name + " v" + version + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ rollout

    /** The version of each model last rolled out (or rolled back to). */
    public synchronized Map<String, Long> rolledOut() {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement p = db.prepareStatement("SELECT name, version FROM model_rollouts ORDER BY name");
                ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
            db.commit();
            return out;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new ModelRegistryException(Reason.STORAGE, "cannot read the rollouts: " + e.getMessage(), e);
        }
    }

    /**
     * Offers {@code name} v{@code version} to the devices (every device the gateway knows when
     * {@code devices} is empty) and records it as the version rolled out.
     *
     * @return the offers, one per device, once the commands are stored
     */
    public CompletableFuture<List<ModelDeployment>> rollout(String name, long version, List<String> devices, String by) {
        ModelVersion v = version(name, version).orElseThrow(() -> new ModelRegistryException(Reason.NOT_FOUND,
                "no model " + name + " v" + version));
        List<String> targets = devices.isEmpty() ? store.devices().stream().map(DeviceRecord::id).toList() : List.copyOf(devices);
        synchronized (this) {
            try (PreparedStatement p = db.prepareStatement("INSERT INTO model_rollouts (name, version, updated_at, updated_by)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version,"
                    + " updated_at = excluded.updated_at, updated_by = excluded.updated_by")) {
                p.setString(1, name);
                p.setLong(2, version);
                p.setLong(3, clock.millis());
                p.setString(4, by);
                p.executeUpdate();
                db.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw new ModelRegistryException(Reason.STORAGE, "cannot record the rollout: " + e.getMessage(), e);
            }
        }
        ModelOffer offer = new ModelOffer(name, version, v.sha256(), v.bytes(),
                httpBase.get().map(b -> b + "/api/v1/models/" + name + "/" + version));
        List<CompletableFuture<ModelDeployment>> offers = new ArrayList<>();
        for (String device : targets) {
            offers.add(downlink.submit(device, ModelOffer.COMMAND, offer.toArgs()).thenApply(r -> offered(device, v, r)));
        }
        log.info("model {} v{} rolled out to {} device(s) by {}", name, version, targets.size(), by);
        return CompletableFuture.allOf(offers.toArray(CompletableFuture[]::new))
                .thenApply(x -> offers.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Rolls back to the version before the one rolled out: the newest published version older than
     * it, offered to the same devices.
     */
    public CompletableFuture<List<ModelDeployment>> rollback(String name, List<String> devices, String by) {
        Long current = rolledOut().get(name);
        if (current == null) {
            throw new ModelRegistryException(Reason.NOT_FOUND, "model " + name + " has not been rolled out");
        }
        long previous = versions(name).stream().mapToLong(ModelVersion::version).filter(x -> x < current).max()
                .orElseThrow(() -> new ModelRegistryException(Reason.NOT_FOUND, "model " + name + " has no version before v" + current));
        return rollout(name, previous, devices, by);
    }

    private synchronized ModelDeployment offered(String device, ModelVersion v, CommandRecord r) {
        Instant now = clock.instant();
        upsert(device, v.name(), v.version(), State.OFFERED, Optional.empty(), Optional.empty(), OptionalLong.empty(),
                Optional.of(r.command().id()), now);
        return new ModelDeployment(device, v.name(), v.version(), State.OFFERED, Optional.empty(), Optional.empty(),
                OptionalLong.empty(), Optional.of(r.command().id()), now);
    }

    private void upsert(String device, String name, long version, State state, Optional<String> reason, Optional<String> message,
            OptionalLong running, Optional<String> commandId, Instant at) {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO model_deployments (device_id, name, version, state, reason,"
                + " message, running, command_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (device_id, name, version) DO UPDATE SET state = excluded.state, reason = excluded.reason,"
                + " message = excluded.message, running = COALESCE(excluded.running, running),"
                + " command_id = COALESCE(excluded.command_id, command_id), updated_at = excluded.updated_at")) {
            p.setString(1, device);
            p.setString(2, name);
            p.setLong(3, version);
            p.setString(4, state.code());
            p.setString(5, reason.orElse(null));
            p.setString(6, message.orElse(null));
            if (running.isPresent()) {
                p.setLong(7, running.getAsLong());
            } else {
                p.setNull(7, Types.BIGINT);
            }
            p.setString(8, commandId.orElse(null));
            p.setLong(9, at.toEpochMilli());
            p.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            throw new ModelRegistryException(Reason.STORAGE, "cannot record model " + name + " v" + version + " on " + device + ": "
                    + e.getMessage(), e);
        }
    }

    /** What devices did with offers, newest first; {@code name} empty for every model. */
    public synchronized List<ModelDeployment> deployments(Optional<String> name) {
        String sql = "SELECT device_id, name, version, state, reason, message, running, command_id, updated_at FROM model_deployments"
                + (name.isPresent() ? " WHERE name = ?" : "") + " ORDER BY updated_at DESC, device_id";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            if (name.isPresent()) {
                p.setString(1, name.get());
            }
            List<ModelDeployment> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    long running = rs.getLong(7);
                    OptionalLong run = rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(running);
                    out.add(new ModelDeployment(rs.getString(1), rs.getString(2), rs.getLong(3),
                            State.valueOf(rs.getString(4).toUpperCase(java.util.Locale.ROOT)), Optional.ofNullable(rs.getString(5)),
                            Optional.ofNullable(rs.getString(6)), run, Optional.ofNullable(rs.getString(8)),
                            Instant.ofEpochMilli(rs.getLong(9))));
                }
            }
            db.commit();
            return out;
        } catch (SQLException e) {
            rollbackQuietly();
            throw new ModelRegistryException(Reason.STORAGE, "cannot read the deployments: " + e.getMessage(), e);
        }
    }

    /**
     * The version of each model each device last reported running (0: the board profile's own
     * model): device id to model name to version.
     */
    public Map<String, Map<String, Long>> running() {
        Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
        List<ModelDeployment> all = new ArrayList<>(deployments(Optional.empty()));
        java.util.Collections.reverse(all); // oldest first: later reports overwrite earlier ones
        for (ModelDeployment d : all) {
            if (d.running().isPresent()) {
                out.computeIfAbsent(d.deviceId(), k -> new java.util.TreeMap<>()).put(d.name(), d.running().getAsLong());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ device reports

    /** Records {@code model} events (outcome per device and version); called after the store committed them. */
    @Override
    public void committed(Decoded message) {
        if (message instanceof Decoded.EventMessage m && ModelOffer.EVENT.equals(m.event().type())) {
            Event e = m.event();
            try {
                reports.execute(() -> report(e));
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                log.debug("model event from {} after close dropped", e.deviceId());
            }
        } else if (message instanceof Decoded.ResultMessage r) {
            CommandResult result = r.result();
            if (!result.ok()) {
                try {
                    reports.execute(() -> failedResult(result));
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    log.debug("command result from {} after close dropped", result.deviceId());
                }
            }
        }
    }

    private void report(Event e) {
        Map<String, Value> a = e.attributes();
        if (!(a.get("model") instanceof Value.Text name) || !(a.get("version") instanceof Value.Num version)
                || !(a.get("outcome") instanceof Value.Text outcome)) {
            log.debug("model event from {} without model, version and outcome: {}", e.deviceId(), a);
            return;
        }
        Optional<State> state = State.ofOutcome(outcome.value());
        if (state.isEmpty()) {
            log.debug("model event from {} with unknown outcome {}", e.deviceId(), outcome.value());
            return;
        }
        OptionalLong running = a.get("running") instanceof Value.Num n ? OptionalLong.of((long) n.value()) : OptionalLong.empty();
        Optional<String> reason = a.get("reason") instanceof Value.Text t ? Optional.of(t.value()) : Optional.empty();
        try {
            synchronized (this) {
                upsert(e.deviceId(), name.value(), (long) version.value(), state.get(), reason, Optional.of(e.message()), running,
                        Optional.empty(), e.time());
            }
        } catch (ModelRegistryException ex) {
            log.warn("{}", ex.getMessage());
        }
    }

    /** A failed {@code model} command that came without an event (an offer the device could not read). */
    private synchronized void failedResult(CommandResult r) {
        try (PreparedStatement p = db.prepareStatement("UPDATE model_deployments SET state = ?, reason = COALESCE(reason, ?),"
                + " message = COALESCE(message, ?), updated_at = ? WHERE device_id = ? AND command_id = ? AND state = ?")) {
            p.setString(1, State.REFUSED.code());
            p.setString(2, "failed");
            p.setString(3, r.message());
            p.setLong(4, r.time().toEpochMilli());
            p.setString(5, r.deviceId());
            p.setString(6, r.commandId());
            p.setString(7, State.OFFERED.code());
            p.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollbackQuietly();
            log.warn("cannot record the result of command {}: {}", r.commandId(), e.getMessage());
        }
    }

    private void rollbackQuietly() {
        try {
            db.rollback();
        } catch (SQLException e) {
            log.debug("rollback failed", e);
        }
    }

    @Override
    public void close() {
        reports.shutdown();
        try {
            reports.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                db.close();
            } catch (SQLException e) {
                log.debug("closing the model registry's connection failed", e);
            }
        }
    }
}
