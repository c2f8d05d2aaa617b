package dev.fieldline.gateway.coap;

import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.OptionSet;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.ResourceObserverAdapter;

/**
 * {@code /v1/d/{deviceId}/cmd}: GET returns the oldest undelivered command (2.05 with an empty
 * payload when there is none); with Observe, every command the hub sends becomes a confirmable
 * notification, one at a time: the next is notified once the device acknowledged the previous one.
 * CBOR (Content-Format 60) unless the request asked for JSON with Accept 50.
 */
final class CommandResource extends CoapResource {
    /** Commands waiting for one device beyond which {@link #offer} says "not now". */
    static final int MAX_QUEUED = 64;
    private static final MessageCodec CODEC = new MessageCodec();

    private final String deviceId;
    private final CoapIngestServer server;
    /** Commands to notify, head first; the head is in flight until the device acknowledged it. Guarded by itself. */
    private final ArrayDeque<Command> outbox = new ArrayDeque<>();

    CommandResource(String deviceId, CoapIngestServer server, boolean observable) {
        super("cmd", false);
        this.deviceId = deviceId;
        this.server = server;
        setObservable(observable);
        setObserveType(CoAP.Type.CON);
        if (observable) {
            addObserver(new ResourceObserverAdapter() {
                @Override
                public void addedObserveRelation(ObserveRelation relation) {
                    server.metrics().increment("coap_observe_relations_total");
                }

                @Override
                public void removedObserveRelation(ObserveRelation relation) {
                    server.unobserved(deviceId, CommandResource.this);
                }
            });
        }
    }

    /** Queues a command and notifies the observers if nothing is in flight. False if the queue is full. */
    boolean offer(Command command) {
        boolean notifyNow;
        synchronized (outbox) {
            if (outbox.stream().anyMatch(c -> c.id().equals(command.id()))) {
                return true;
            }
            if (outbox.size() >= MAX_QUEUED) {
                return false;
            }
            notifyNow = outbox.isEmpty();
            outbox.addLast(command);
        }
        if (notifyNow) {
            notifyObservers();
        }
        return true;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        if (!server.admitted(exchange, deviceId, "cmd")) {
            return;
        }
        OptionSet options = exchange.getRequestOptions();
        PayloadFormat format;
        if (!options.hasAccept() || options.getAccept() == PayloadFormat.CBOR.coapContentFormat(MessageKind.COMMAND)) {
            format = PayloadFormat.CBOR;
        } else if (options.getAccept() == PayloadFormat.JSON.coapContentFormat(MessageKind.COMMAND)) {
            format = PayloadFormat.JSON;
        } else {
            exchange.respond(ResponseCode.NOT_ACCEPTABLE);
            return;
        }
        Optional<Command> next = head();
        Response response = new Response(ResponseCode.CONTENT);
        if (next.isPresent()) {
            Command command = next.get();
            response.setPayload(CODEC.encode(command, format));
            response.getOptions().setContentFormat(format.coapContentFormat(MessageKind.COMMAND));
            response.addMessageObserver(new DeliveryObserver(response, command));
        }
        exchange.respond(response);
    }

    /** The oldest command not yet delivered; refilled from the hub when the outbox is empty. */
    private Optional<Command> head() {
        synchronized (outbox) {
            if (outbox.isEmpty()) {
                for (Command c : server.downlink().pending(deviceId)) {
                    if (outbox.size() >= MAX_QUEUED) {
                        break;
                    }
                    outbox.addLast(c);
                }
            }
            return Optional.ofNullable(outbox.peekFirst());
        }
    }

    private void delivered(Command command) {
        boolean removed;
        boolean more;
        synchronized (outbox) {
            removed = outbox.removeIf(c -> c.id().equals(command.id()));
            more = !outbox.isEmpty();
        }
        if (removed) {
            server.metrics().increment("coap_commands_delivered_total");
            server.downlink().delivered(deviceId, command.id());
            if (more) {
                notifyObservers();
            }
        }
    }

    private void notifyObservers() {
        if (getObserverCount() == 0) {
            return;
        }
        try {
            // not on Californium's callback thread: changed() runs the GET handler for each observer
            server.executor().execute(this::changed);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    /**
     * Marks the command delivered when its response reached the device: a confirmable notification
     * once acknowledged; a piggybacked (ACK) or NON response once sent, as the device retransmits
     * its request if the ACK is lost.
     */
    private final class DeliveryObserver extends MessageObserverAdapter {
        private final Response response;
        private final Command command;

        DeliveryObserver(Response response, Command command) {
            this.response = response;
            this.command = command;
        }

        @Override
        public void onAcknowledgement() {
            delivered(command);
        }

        @Override
        public void onSent(boolean retransmission) {
            if (response.getType() != CoAP.Type.CON) {
                delivered(command);
            }
        }
    }
}
