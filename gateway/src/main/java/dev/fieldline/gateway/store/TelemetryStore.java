package dev.fieldline.gateway.store;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertRecord;
import dev.fieldline.gateway.analytics.AlertSink;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.protocol.Command;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's storage. Writes are asynchronous and group-committed: their futures complete after
 * the transaction holding them committed, on the store's completion thread (or exceptionally with
 * a {@link StoreException}: {@code OVERLOADED} when the write queue is full, {@code CLOSED},
 * {@code FAILED}). Writes never block the caller. Reads are synchronous, served by a small pool of
 * connections beside the writer; callable from any thread (a short query on the completion thread
 * delays other completions by as much).
 *
 * <p>Implementations: {@link SqliteStore} (embedded default). The SQL is plain JDBC and, where the
 * dialects allow, portable ({@code ON CONFLICT ... DO NOTHING/UPDATE}, window functions), so a
 * PostgreSQL store can follow with its own migrations.
 */
public interface TelemetryStore extends AlertSink, AutoCloseable {

    /**
     * Appends an uplink message. Sequenced messages are stored once per (device, boot, seq): a
     * repeat completes with {@link AppendResult#DUPLICATE} and changes nothing. Status messages
     * replace the device's latest status; command results settle their command.
     */
    CompletableFuture<AppendResult> append(Decoded message);

    /** Stores a new command in state {@code pending}. */
    CompletableFuture<CommandRecord> createCommand(String deviceId, Command command, Instant at);

    /** Moves a pending command to {@code delivered}; completes with false if it was not pending. */
    CompletableFuture<Boolean> markDelivered(String deviceId, String commandId, Instant at);

    /**
     * Raises a deduplicated alert: while an alert with {@code dedupKey} is open or acknowledged, no
     * row is added; that alert's count goes up by one and its last-seen time becomes the new alert's
     * creation time. Completes with the alert as stored (count 1 when it is new).
     */
    CompletableFuture<AlertRecord> raise(Alert alert, String dedupKey);

    /**
     * Calls {@code listener} with every alert a {@code raise} stored, new or repeated (its
     * {@link AlertRecord#count()} tells), after the commit, on the store's completion thread: it must not block.
     */
    void addAlertListener(java.util.function.Consumer<AlertRecord> listener);

    /** Resolves the open or acknowledged alert with {@code dedupKey}; empty if there is none. */
    CompletableFuture<Optional<AlertRecord>> resolveUnresolved(String dedupKey, Instant at, String by);

    /**
     * Acknowledges an open alert. Fails with {@link StoreException.Reason#NOT_FOUND} for an unknown
     * id and {@link StoreException.Reason#CONFLICT} unless the alert is open.
     *
     * @param by who ({@code token:NAME}, {@code anonymous})
     * @param note replaces the alert's note when present
     */
    CompletableFuture<AlertRecord> acknowledge(long alertId, Instant at, String by, Optional<String> note);

    /** Resolves an open or acknowledged alert; fails as {@link #acknowledge} does, with CONFLICT if already resolved. */
    CompletableFuture<AlertRecord> resolve(long alertId, Instant at, String by, Optional<String> note);

    /**
     * Replaces every label of a device ({@link DeviceLabelRules}); an empty map removes them.
     *
     * @throws IllegalArgumentException if the labels break {@link DeviceLabelRules} or the id is invalid
     */
    CompletableFuture<Map<String, String>> replaceLabels(String deviceId, Map<String, String> labels, Instant at);

    // ------------------------------------------------------------------ reads

    /**
     * A device's labels, sorted by name; empty when it has none. Served from memory (loaded at open,
     * updated when a replacement commits): cheap enough for every rule evaluation.
     */
    Map<String, String> labels(String deviceId);

    List<StoredReading> readings(ReadingQuery query);

    /** Every device, most recently seen first. */
    List<DeviceRecord> devices();

    Optional<DeviceRecord> device(String deviceId);

    /** A device's commands, newest first. */
    List<CommandRecord> commands(String deviceId, int limit);

    Optional<CommandRecord> command(String commandId);

    /** Commands of every device still in state {@code pending}, oldest first. */
    List<CommandRecord> pendingCommands();

    List<AlertRecord> alerts(AlertQuery query);

    Optional<AlertRecord> alert(long alertId);

    /** Device events (alerts raised on the device, inference results, notices), newest first. */
    List<StoredEvent> events(EventQuery query);

    /** Keeps an event the gateway raised itself (e.g. an insight); completes with it and its id. */
    CompletableFuture<GatewayEvent> appendGatewayEvent(GatewayEvent event);

    /** Gateway events of one type, newest first, optionally of one device and about one name. */
    List<GatewayEvent> gatewayEvents(String type, Optional<String> deviceId, Optional<String> name, int limit);

    /** Per boot of the device: highest sequence number and count received, newest boot first. */
    List<BootSequence> boots(String deviceId);

    /** Gaps in the sequence numbers received from one boot, lowest first, at most {@code limit}. */
    List<SeqRange> gaps(String deviceId, long bootId, int limit);

    /**
     * The end of the run of committed sequence numbers of one boot that starts at {@code from}: the
     * highest {@code w >= from - 1} such that every seq in {@code from..w} is stored, or
     * {@code from - 1} when {@code from} itself is not. With {@code from = 1} it is the boot's
     * commit watermark; a caller that knows an earlier watermark passes it plus one, so the cost is
     * that of the messages committed since.
     */
    long committedThrough(String deviceId, long bootId, long from);

    /** True if the database answers a trivial query. */
    boolean healthy();

    /** Commits what is queued, then closes. Later writes complete with {@code CLOSED}. */
    @Override
    void close();
}
