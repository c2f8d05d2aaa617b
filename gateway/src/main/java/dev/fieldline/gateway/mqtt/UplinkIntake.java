package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.util.Optional;

/**
 * What the two MQTT transports share on the way in: the payload format from an MQTT 5 content type
 * or, without one, by sniffing; and the ingest counters for their transport label.
 */
final class UplinkIntake {
    private final Metrics metrics;
    private final String transport;

    UplinkIntake(Metrics metrics, Transport transport) {
        this.metrics = metrics;
        this.transport = transport.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The format of a payload: the content type decides when present (an unknown one is not
     * guessed around); otherwise the first significant byte.
     */
    static Optional<PayloadFormat> format(MessageKind kind, Optional<String> contentType, byte[] payload) {
        if (contentType.isPresent()) {
            return PayloadFormat.fromMediaType(kind, contentType.get());
        }
        return PayloadFormat.sniff(payload);
    }

    void received() {
        metrics.increment("ingest_received_total", "transport", transport);
    }

    /** A refusal decided by the transport itself, before the message reached {@code Ingest}. */
    void rejected(DecodeError reason) {
        metrics.increment("ingest_rejected_total", "transport", transport, "reason", reason.code());
    }

    /** Counts what {@code Ingest} made of a message. */
    void outcome(IngestResult result) {
        if (result instanceof IngestResult.Stored) {
            metrics.increment("ingest_stored_total", "transport", transport);
        } else if (result instanceof IngestResult.Duplicate) {
            metrics.increment("ingest_duplicate_total", "transport", transport);
        } else if (result instanceof IngestResult.Rejected r) {
            rejected(r.reason());
        } else {
            metrics.increment("ingest_unavailable_total", "transport", transport);
        }
    }
}
