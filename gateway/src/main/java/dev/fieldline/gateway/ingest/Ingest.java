package dev.fieldline.gateway.ingest;

import java.util.concurrent.CompletableFuture;

/**
 * The one entry point every transport feeds: decode, validate, store, analyse. The returned future
 * completes after the message is committed to storage (or refused); transports acknowledge the
 * sender only then (MQTT PUBACK, CoAP response, HTTP response). Never blocks the caller.
 */
public interface Ingest {
    CompletableFuture<IngestResult> submit(Uplink uplink);
}
