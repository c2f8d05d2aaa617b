package dev.fieldline.gateway.coap;

import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Topics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POST of an uplink message to {@code /v1/d/{deviceId}/{telemetry|event|status|cmd/result}}, one
 * resource for every device and kind (the path says which).
 */
final class UplinkResource extends CoapResource {
    private static final Logger LOG = LoggerFactory.getLogger(UplinkResource.class);
    /** Seconds a device should wait before retrying after 5.03. */
    static final long RETRY_AFTER_SECONDS = 5;
    private static final int MAX_DIAGNOSTIC = 200;

    private final CoapIngestServer server;

    UplinkResource(CoapIngestServer server) {
        super("uplink", false);
        this.server = server;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        OptionSet options = exchange.getRequestOptions();
        Topics.Address address = CoapIngestServer.address(options.getUriPath()).orElseThrow();
        if (!server.admitted(exchange, address.deviceId(), address.kind().suffix())) {
            return;
        }
        Optional<PayloadFormat> format = options.hasContentFormat()
                ? PayloadFormat.fromCoapContentFormat(address.kind(), options.getContentFormat())
                : Optional.empty();
        if (format.isEmpty()) {
            server.refused(DecodeError.UNSUPPORTED_FORMAT);
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, diagnostic(DecodeError.UNSUPPORTED_FORMAT,
                    (options.hasContentFormat() ? "Content-Format " + options.getContentFormat() : "no Content-Format")
                            + " for " + address.kind().suffix()), MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        int max = server.config().maxPayloadBytes();
        if (exchange.getRequestPayloadSize() > max) {
            server.refused(DecodeError.TOO_LARGE);
            Response response = new Response(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            response.getOptions().setSize1(max);
            exchange.respond(response);
            return;
        }
        Uplink uplink = new Uplink(Transport.COAP, address.deviceId(), address.kind(), format.get(),
                exchange.getRequestPayload(), server.clock().instant());
        // Empty ACK now (the device stops retransmitting); the real answer once the ingest decided.
        exchange.accept();
        CompletableFuture<IngestResult> future;
        try {
            future = server.ingest().submit(uplink);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        future.whenComplete((result, error) -> respond(exchange, uplink,
                error == null ? result : new IngestResult.Unavailable("ingest failed: " + error)));
    }

    private static void respond(CoapExchange exchange, Uplink uplink, IngestResult result) {
        if (result.committed()) {
            exchange.respond(ResponseCode.CHANGED);
        } else if (result instanceof IngestResult.Rejected r) {
            LOG.debug("CoAP {} from {} rejected: {}", uplink.kind().suffix(), uplink.deviceId(), r.message());
            exchange.respond(ResponseCode.BAD_REQUEST, diagnostic(r.reason(), r.message()), MediaTypeRegistry.TEXT_PLAIN);
        } else {
            Response response = new Response(ResponseCode.SERVICE_UNAVAILABLE);
            response.getOptions().setMaxAge(RETRY_AFTER_SECONDS);
            response.setPayload(truncate(((IngestResult.Unavailable) result).message()));
            response.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
            exchange.respond(response);
        }
    }

    /** "reason: message", e.g. {@code malformed: expected an array}. */
    private static String diagnostic(DecodeError reason, String message) {
        String prefix = reason.code() + ": ";
        return truncate(message.startsWith(prefix) ? message : prefix + message);
    }

    private static String truncate(String s) {
        return s.length() <= MAX_DIAGNOSTIC ? s : s.substring(0, MAX_DIAGNOSTIC);
    }
}
