package dev.fieldline.gateway.ingest;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.AppendResult;
import dev.fieldline.gateway.store.StoreException;
import dev.fieldline.gateway.store.TelemetryStore;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.SenmlCodec;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's {@link Ingest}: decode by kind (on the caller's thread: CPU only, bounded by the
 * {@link DecodeLimits}), hand to the store's group commit, and after the commit tell the
 * {@link CommitListener}s (analytics, the command hub) about new messages. Never blocks the caller.
 *
 * <p>Counters (label {@code transport} in lower case): {@code ingest_received_total},
 * {@code ingest_stored_total}, {@code ingest_duplicate_total}, {@code ingest_rejected_total{reason}},
 * {@code ingest_unavailable_total}, {@code ingest_listener_errors_total}.
 */
public final class IngestPipeline implements Ingest {
    private static final Logger log = LoggerFactory.getLogger(IngestPipeline.class);

    private final TelemetryStore store;
    private final Metrics metrics;
    private final SenmlCodec senml;
    private final MessageCodec messages;
    private final List<CommitListener> listeners = new CopyOnWriteArrayList<>();
    private final Provenance provenance;
    private final Optional<RepeatedFailureAlarm> alarm;

    public IngestPipeline(TelemetryStore store, Metrics metrics, DecodeLimits limits) {
        this(store, metrics, limits, Clock.systemUTC());
    }

    public IngestPipeline(TelemetryStore store, Metrics metrics, DecodeLimits limits, Clock clock) {
        this(store, metrics, limits, clock, Provenance.UNCHECKED, Optional.empty());
    }

    /**
     * @param provenance checks signatures (and, in secure mode, refuses unsigned messages) before decoding
     * @param alarm told of every provenance refusal, to alert on repeated ones
     */
    public IngestPipeline(TelemetryStore store, Metrics metrics, DecodeLimits limits, Clock clock, Provenance provenance,
            Optional<RepeatedFailureAlarm> alarm) {
        this.store = store;
        this.metrics = metrics;
        this.senml = new SenmlCodec(limits, clock);
        this.messages = new MessageCodec(limits);
        this.provenance = provenance;
        this.alarm = alarm;
    }

    /** Adds a listener told about every newly committed message, in registration order. */
    public void addListener(CommitListener listener) {
        listeners.add(listener);
    }

    @Override
    public CompletableFuture<IngestResult> submit(Uplink uplink) {
        String transport = uplink.transport().code();
        metrics.increment("ingest_received_total", "transport", transport);
        Decoded decoded;
        Provenance.Checked checked;
        try {
            checked = provenance.check(uplink);
            decoded = decode(uplink, checked.payload());
        } catch (DecodeException e) {
            return CompletableFuture.completedFuture(reject(uplink, transport, e.reason(), e.detail()));
        }
        return store.append(decoded).handle((appended, error) -> {
            if (error != null) {
                return unavailable(uplink, transport, error);
            }
            if (appended == AppendResult.DUPLICATE && checked.signed()) {
                // a valid signature over a message already committed: a captured message sent again
                // (or the device's own resend of one whose acknowledgement it lost; either way it stays stored once)
                return reject(uplink, transport, DecodeError.REPLAY,
                        "(bootId, seq) " + decoded.sequence().orElseThrow() + " was already committed");
            }
            if (appended == AppendResult.DUPLICATE) {
                metrics.increment("ingest_duplicate_total", "transport", transport);
                return new IngestResult.Duplicate(decoded.sequence().orElseThrow());
            }
            metrics.increment("ingest_stored_total", "transport", transport);
            notifyListeners(decoded);
            int readings = decoded instanceof Decoded.TelemetryMessage t ? t.telemetry().readings().size() : 0;
            return new IngestResult.Stored(decoded.sequence(), readings);
        });
    }

    private IngestResult reject(Uplink uplink, String transport, DecodeError reason, String detail) {
        metrics.increment("ingest_rejected_total", "transport", transport, "reason", reason.code());
        log.debug("rejected {} from {} over {}: {}: {}", uplink.kind().suffix(), uplink.deviceId(), transport,
                reason.code(), detail);
        if (RepeatedFailureAlarm.watches(reason)) {
            alarm.ifPresent(a -> a.failed(uplink.deviceId(), reason));
        }
        return new IngestResult.Rejected(reason, detail);
    }

    private Decoded decode(Uplink u, byte[] payload) {
        return switch (u.kind()) {
            case TELEMETRY -> new Decoded.TelemetryMessage(
                    senml.decodeTelemetry(u.deviceId(), payload, u.format()), u.transport(), u.receivedAt());
            case EVENT -> new Decoded.EventMessage(
                    messages.decodeEvent(u.deviceId(), payload, u.format()), u.transport(), u.receivedAt());
            case STATUS -> new Decoded.StatusMessage(
                    messages.decodeStatus(u.deviceId(), payload, u.format()), u.transport(), u.receivedAt());
            case COMMAND_RESULT -> new Decoded.ResultMessage(
                    messages.decodeCommandResult(u.deviceId(), payload, u.format()), u.transport(), u.receivedAt());
            case COMMAND, ACK -> throw new IllegalArgumentException("not an uplink kind: " + u.kind());
        };
    }

    private IngestResult unavailable(Uplink uplink, String transport, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        metrics.increment("ingest_unavailable_total", "transport", transport);
        String message = cause instanceof StoreException se ? se.getMessage() : "storage failed: " + cause;
        if (!(cause instanceof StoreException se && se.reason() != StoreException.Reason.FAILED)) {
            log.warn("could not store {} from {}: {}", uplink.kind().suffix(), uplink.deviceId(), message);
        }
        return new IngestResult.Unavailable(message);
    }

    private void notifyListeners(Decoded message) {
        for (CommitListener l : listeners) {
            try {
                l.committed(message);
            } catch (RuntimeException e) {
                metrics.increment("ingest_listener_errors_total");
                log.warn("commit listener {} failed on a {} from {}", l.getClass().getSimpleName(),
                        message.kind().suffix(), message.deviceId(), e);
            }
        }
    }
}
