package dev.fieldline.gateway.coap;

import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * {@code GET /v1/models/{name}/{version}}: the model file ({@code application/octet-stream}), and
 * {@code GET /v1/models/{name}/{version}/manifest}: its signed release manifest (COSE_Sign1,
 * Content-Format 18, {@code application/cose; cose-type="cose-sign1"}). Files larger than a datagram
 * go block-wise (RFC 7959 Block2), which Californium does for the resource. In secure mode only
 * DTLS peers that are enabled devices may fetch (4.01 on plain CoAP), as for commands.
 */
final class ModelResource extends CoapResource {
    /** CoAP Content-Format of COSE_Sign1 (RFC 9052). */
    static final int COSE_SIGN1 = 18;

    private final CoapIngestServer server;
    private final ModelFiles files;

    ModelResource(CoapIngestServer server, ModelFiles files) {
        super("models", false);
        this.server = server;
        this.files = files;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        List<String> path = exchange.getRequestOptions().getUriPath();
        // v1 / models / {name} / {version} [/ manifest]
        if (path.size() < 4 || path.size() > 5 || (path.size() == 5 && !path.get(4).equals("manifest"))) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        if (!server.admittedForModels(exchange)) {
            return;
        }
        long version;
        try {
            version = Long.parseLong(path.get(3));
        } catch (NumberFormatException e) {
            exchange.respond(ResponseCode.NOT_FOUND, "version must be a number", MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        boolean manifest = path.size() == 5;
        Optional<byte[]> body = manifest ? files.signedManifest(path.get(2), version) : files.file(path.get(2), version);
        if (body.isEmpty()) {
            server.metrics().increment("coap_not_found_total");
            exchange.respond(ResponseCode.NOT_FOUND, "no model " + path.get(2) + " v" + version, MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        server.metrics().increment("model_downloads_total", "transport", "coap", "part", manifest ? "manifest" : "file");
        exchange.respond(ResponseCode.CONTENT, body.get(), manifest ? COSE_SIGN1 : MediaTypeRegistry.APPLICATION_OCTET_STREAM);
    }
}
