package dev.fieldline.gateway.coap;

import dev.fieldline.gateway.federated.FederatedService;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.federated.FlAddresses;
import dev.fieldline.protocol.federated.FlCodec;
import dev.fieldline.protocol.federated.FlKind;
import dev.fieldline.protocol.federated.FlMessage;
import java.util.Optional;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.server.resources.CoapExchange;

/**
 * Federated learning over CoAP (docs/protocol.md §10), one resource for every device:
 * <ul>
 *   <li>{@code POST /v1/d/{id}/fl/join}: 2.05 with the device's task (Content-Format 60) when it is
 *       sampled in the open round and has not answered, else 2.04 without payload;</li>
 *   <li>{@code GET /v1/d/{id}/fl/chunk?v=VERSION&i=INDEX}: 2.05 with the chunk (block-wise, Block2, as a
 *       chunk is larger than a datagram), 4.04 for another version or an index out of range;</li>
 *   <li>{@code POST /v1/d/{id}/fl/update}: one chunk of an upload (Block1); 2.04 while more chunks are
 *       due, 2.05 with the receipt after the last one or when the upload is refused.</li>
 * </ul>
 * A payload the decoder refuses gets 4.00 (4.13 when too large) with the reason code.
 */
final class FederatedResource extends CoapResource {
    private static final FlCodec CODEC = new FlCodec();

    private final CoapIngestServer server;
    private final FederatedService service;

    FederatedResource(CoapIngestServer server, FederatedService service) {
        super("fl", false);
        this.server = server;
        this.service = service;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        OptionSet options = exchange.getRequestOptions();
        FlAddresses.FlAddress a = FlAddresses.parseCoap(options.getUriPath()).orElseThrow();
        if (!server.admitted(exchange, a.deviceId(), a.kind().suffix())) {
            return;
        }
        if (!a.kind().isUplink() || a.kind() == FlKind.FETCH) {
            exchange.respond(ResponseCode.METHOD_NOT_ALLOWED);
            return;
        }
        Optional<PayloadFormat> format = options.hasContentFormat()
                ? PayloadFormat.fromCoapContentFormat(MessageKind.EVENT, options.getContentFormat()) : Optional.empty();
        if (format.isEmpty()) {
            exchange.respond(ResponseCode.UNSUPPORTED_CONTENT_FORMAT, "unsupported_format: use 60 (CBOR) or 50 (JSON)",
                    MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        try {
            answer(exchange, service.receive(a.deviceId(), a.kind(), exchange.getRequestPayload(), format.get()),
                    format.get());
        } catch (DecodeException e) {
            exchange.respond(e.reason() == DecodeError.TOO_LARGE ? ResponseCode.REQUEST_ENTITY_TOO_LARGE
                    : ResponseCode.BAD_REQUEST, e.getMessage(), MediaTypeRegistry.TEXT_PLAIN);
        }
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        OptionSet options = exchange.getRequestOptions();
        FlAddresses.FlAddress a = FlAddresses.parseCoap(options.getUriPath()).orElseThrow();
        if (!server.admitted(exchange, a.deviceId(), a.kind().suffix())) {
            return;
        }
        if (a.kind() != FlKind.CHUNK) {
            exchange.respond(ResponseCode.METHOD_NOT_ALLOWED);
            return;
        }
        int version;
        int index;
        try {
            version = Integer.parseInt(exchange.getQueryParameter("v"));
            index = Integer.parseInt(exchange.getQueryParameter("i"));
            if (version < 0 || index < 0) {
                throw new NumberFormatException("negative");
            }
        } catch (NumberFormatException | NullPointerException e) {
            exchange.respond(ResponseCode.BAD_REQUEST, "wrong_type: the query needs v=VERSION&i=INDEX",
                    MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        PayloadFormat format = options.hasAccept() && options.getAccept() == MediaTypeRegistry.APPLICATION_JSON
                ? PayloadFormat.JSON : PayloadFormat.CBOR;
        Optional<FlMessage> chunk = service.handle(a.deviceId(), new FlMessage.Fetch(version, index));
        if (chunk.isEmpty()) {
            exchange.respond(ResponseCode.NOT_FOUND, "no chunk " + index + " of version " + version,
                    MediaTypeRegistry.TEXT_PLAIN);
            return;
        }
        answer(exchange, chunk, format);
    }

    private static void answer(CoapExchange exchange, Optional<FlMessage> reply, PayloadFormat format) {
        if (reply.isEmpty()) {
            exchange.respond(ResponseCode.CHANGED);
            return;
        }
        Response r = new Response(ResponseCode.CONTENT);
        r.setPayload(CODEC.encode(reply.get(), format));
        r.getOptions().setContentFormat(format.coapContentFormat(MessageKind.EVENT));
        exchange.respond(r);
    }
}
