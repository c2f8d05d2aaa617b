package dev.fieldline.gateway.downlink;

import dev.fieldline.gateway.ingest.CommitListener;
import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.CommandRecord;
import dev.fieldline.gateway.store.CommandState;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command hub. A command is first stored ({@code pending}); once committed it is offered to
 * the registered transports in registration order, and the first that reaches the device and takes
 * it marks it {@code delivered}. Transports flush {@link #pending(String)} when a device connects
 * or observes. The device's {@link CommandResult} (a sequenced uplink, stored exactly once by the
 * pipeline) settles it as {@code succeeded} or {@code failed}.
 *
 * <p>Pending commands are mirrored in memory (loaded from the store at start), so transports can
 * ask for them from network threads without touching the database. Delivery is at least once: a
 * command handed over just as the device reconnects may be sent twice; devices act on a command id
 * once.
 *
 * <p>Counters: {@code commands_created_total}, {@code commands_delivered_total},
 * {@code commands_settled_total{state}}, {@code commands_send_errors_total}.
 */
public final class DefaultDownlink implements Downlink, CommitListener {
    private static final Logger log = LoggerFactory.getLogger(DefaultDownlink.class);

    private final TelemetryStore store;
    private final Metrics metrics;
    private final Clock clock;
    private final MessageCodec codec;
    private final List<DownlinkTransport> transports = new CopyOnWriteArrayList<>();
    /** Device id to its pending commands in creation order; guarded by itself. */
    private final Map<String, LinkedHashMap<String, Command>> pending = new HashMap<>();

    public DefaultDownlink(TelemetryStore store, Metrics metrics, DecodeLimits limits, Clock clock) {
        this.store = store;
        this.metrics = metrics;
        // the store keeps milliseconds; so do the records handed out before they are read back
        this.clock = Clock.tick(clock, java.time.Duration.ofMillis(1));
        this.codec = new MessageCodec(limits);
        for (CommandRecord r : store.pendingCommands()) {
            remember(r.deviceId(), r.command());
        }
    }

    @Override
    public void register(DownlinkTransport transport) {
        transports.add(transport);
    }

    /**
     * Creates, stores and tries to deliver a command.
     *
     * @return the stored command, {@code delivered} if a transport took it at once; fails with the
     *     store's exception if it could not be stored
     * @throws dev.fieldline.protocol.DecodeException if a device could not decode it (bad name,
     *     too many or too long arguments): the protocol's own limits
     * @throws IllegalArgumentException if the device id is invalid
     */
    public CompletableFuture<CommandRecord> submit(String deviceId, String name, Map<String, Value> args) {
        DeviceIds.require(deviceId, "deviceId");
        Command command;
        try {
            command = new Command(UUID.randomUUID().toString(), name, args, clock.instant());
        } catch (IllegalArgumentException e) {
            // the id and time are ours: only the name can be refused
            throw new DecodeException(DecodeError.INVALID_NAME, e.getMessage());
        }
        validate(command);
        return persist(deviceId, command);
    }

    /** Checks the command survives the device's decoder (the protocol's rules, in one place). */
    private void validate(Command command) {
        codec.decodeCommand(codec.encode(command, PayloadFormat.JSON), PayloadFormat.JSON);
    }

    @Override
    public void enqueue(String deviceId, Command command) {
        DeviceIds.require(deviceId, "deviceId");
        validate(command);
        persist(deviceId, command).whenComplete((r, e) -> {
            if (e != null) {
                log.warn("command {} for {} not stored: {}", command.id(), deviceId, e.toString());
            }
        });
    }

    private CompletableFuture<CommandRecord> persist(String deviceId, Command command) {
        return store.createCommand(deviceId, command, clock.instant()).thenApply(stored -> {
            metrics.increment("commands_created_total");
            remember(deviceId, command);
            log.debug("command {} {} for {} pending", command.id(), command.name(), deviceId);
            if (offer(deviceId, command)) {
                return new CommandRecord(deviceId, command, CommandState.DELIVERED, stored.createdAt(), clock.instant(),
                        Optional.empty());
            }
            return stored;
        });
    }

    private boolean offer(String deviceId, Command command) {
        for (DownlinkTransport t : transports) {
            try {
                if (t.reaches(deviceId) && t.send(deviceId, command)) {
                    delivered(deviceId, command.id());
                    return true;
                }
            } catch (RuntimeException e) {
                metrics.increment("commands_send_errors_total");
                log.warn("transport {} failed to send command {} to {}", t.getClass().getSimpleName(), command.id(), deviceId, e);
            }
        }
        return false;
    }

    @Override
    public List<Command> pending(String deviceId) {
        synchronized (pending) {
            LinkedHashMap<String, Command> m = pending.get(deviceId);
            return m == null ? List.of() : List.copyOf(new ArrayList<>(m.values()));
        }
    }

    @Override
    public void delivered(String deviceId, String commandId) {
        if (!forget(deviceId, commandId)) {
            return; // already delivered, settled or unknown
        }
        metrics.increment("commands_delivered_total");
        store.markDelivered(deviceId, commandId, clock.instant()).whenComplete((changed, e) -> {
            if (e != null) {
                log.warn("command {} delivery not recorded: {}", commandId, e.toString());
            }
        });
    }

    /** Settles commands from their results (after the pipeline committed the result). */
    @Override
    public void committed(Decoded message) {
        if (message instanceof Decoded.ResultMessage m) {
            CommandResult r = m.result();
            forget(r.deviceId(), r.commandId());
            metrics.increment("commands_settled_total", "state", (r.ok() ? CommandState.SUCCEEDED : CommandState.FAILED).code());
            log.debug("command {} on {} {}: {}", r.commandId(), r.deviceId(), r.ok() ? "succeeded" : "failed", r.message());
        }
    }

    private void remember(String deviceId, Command command) {
        synchronized (pending) {
            pending.computeIfAbsent(deviceId, k -> new LinkedHashMap<>()).put(command.id(), command);
        }
    }

    private boolean forget(String deviceId, String commandId) {
        synchronized (pending) {
            LinkedHashMap<String, Command> m = pending.get(deviceId);
            if (m == null || m.remove(commandId) == null) {
                return false;
            }
            if (m.isEmpty()) {
                pending.remove(deviceId);
            }
            return true;
        }
    }
}
