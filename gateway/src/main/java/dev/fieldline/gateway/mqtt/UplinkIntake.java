package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.ingest.Ingest;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What the two MQTT transports share on the way in: the payload format from an MQTT 5 content type
 * or, without one, by sniffing; and the ingest counters for messages a transport refuses itself
 * (size, format) before they reach {@code Ingest}. What {@code Ingest} makes of a submitted message
 * the pipeline counts ({@code IngestPipeline}), so transports do not count those outcomes again.
 */
final class UplinkIntake {
    private final Metrics metrics;
    private final String transport;

    UplinkIntake(Metrics metrics, Transport transport) {
        this.metrics = metrics;
        this.transport = transport.code();
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

    /**
     * Submits to the ingest; the future never fails: a thrown or failed submission becomes
     * {@link IngestResult.Unavailable} (the sender retries), never a lost acknowledgement.
     */
    static CompletableFuture<IngestResult> submit(Ingest ingest, Uplink uplink) {
        CompletableFuture<IngestResult> future;
        try {
            future = ingest.submit(uplink);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        return future.handle((result, error) ->
                error == null ? result : new IngestResult.Unavailable("ingest failed: " + error));
    }

    /** Counts a message refused before submission as received and rejected, as the pipeline would have. */
    void refused(DecodeError reason) {
        metrics.increment("ingest_received_total", "transport", transport);
        metrics.increment("ingest_rejected_total", "transport", transport, "reason", reason.code());
    }
}
