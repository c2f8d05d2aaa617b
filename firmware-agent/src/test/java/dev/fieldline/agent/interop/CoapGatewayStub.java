package dev.fieldline.agent.interop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/**
 * A Californium server with the gateway's device resources for one device, on 127.0.0.1: records
 * every POST, answers telemetry with a settable code, serves commands by Observe on {@code cmd}.
 */
public final class CoapGatewayStub implements AutoCloseable {

    public record Post(String kind, int contentFormat, byte[] payload) {
    }

    private final CoapServer server;
    private final CoapEndpoint endpoint;
    private final List<Post> posts = new CopyOnWriteArrayList<>();
    private final CommandResource cmd = new CommandResource();
    volatile ResponseCode telemetryAnswer = ResponseCode.CHANGED;

    public CoapGatewayStub(int port, String deviceId) {
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        server = new CoapServer(config);
        endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).build();
        server.addEndpoint(endpoint);
        CoapResource device = new CoapResource(deviceId);
        device.add(new UplinkResource("telemetry"));
        device.add(new UplinkResource("status"));
        device.add(new UplinkResource("event"));
        cmd.add(new UplinkResource("result"));
        device.add(cmd);
        CoapResource d = new CoapResource("d");
        d.add(device);
        CoapResource v1 = new CoapResource("v1");
        v1.add(d);
        server.add(v1);
        server.start();
    }

    public int port() {
        return endpoint.getAddress().getPort();
    }

    public List<Post> posts(String kind) {
        List<Post> out = new ArrayList<>();
        for (Post p : posts) {
            if (p.kind().equals(kind)) {
                out.add(p);
            }
        }
        return out;
    }

    /** The telemetry posted so far (CBOR), each message as its readings by name, oldest first. */
    public List<java.util.Map<String, dev.fieldline.protocol.Value>> telemetry(String deviceId) {
        dev.fieldline.protocol.SenmlCodec senml = new dev.fieldline.protocol.SenmlCodec();
        List<java.util.Map<String, dev.fieldline.protocol.Value>> out = new ArrayList<>();
        for (Post p : posts("telemetry")) {
            java.util.Map<String, dev.fieldline.protocol.Value> m = new java.util.LinkedHashMap<>();
            for (dev.fieldline.protocol.Reading r : senml.decodeTelemetry(deviceId, p.payload(),
                    dev.fieldline.protocol.PayloadFormat.CBOR).readings()) {
                m.put(r.name(), r.value().orElseThrow());
            }
            out.add(m);
        }
        return out;
    }

    /** The readings of the latest telemetry message (empty before the first). */
    public java.util.Map<String, dev.fieldline.protocol.Value> lastTelemetry(String deviceId) {
        List<java.util.Map<String, dev.fieldline.protocol.Value>> all = telemetry(deviceId);
        return all.isEmpty() ? java.util.Map.of() : all.get(all.size() - 1);
    }

    /** The latest status posted (CBOR), if any. */
    public java.util.Optional<dev.fieldline.protocol.Status> lastStatus(String deviceId) {
        List<Post> all = posts("status");
        return all.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(new dev.fieldline.protocol.MessageCodec()
                .decodeStatus(deviceId, all.get(all.size() - 1).payload(), dev.fieldline.protocol.PayloadFormat.CBOR));
    }

    /** A sensor's health in the latest status; ok since the epoch before any status arrived. */
    public dev.fieldline.protocol.SensorHealth health(String deviceId, String sensor) {
        return lastStatus(deviceId).flatMap(s -> s.sensors().stream().filter(h -> h.name().equals(sensor)).findFirst())
                .orElse(dev.fieldline.protocol.SensorHealth.ok(sensor, java.time.Instant.EPOCH));
    }

    /** Makes a command the current state of {@code cmd} and notifies observers. */
    public void pushCommand(byte[] payload, int contentFormat) {
        cmd.current = payload;
        cmd.contentFormat = contentFormat;
        cmd.changed();
    }

    public int observers() {
        return cmd.getObserverCount();
    }

    @Override
    public void close() {
        server.destroy();
    }

    private final class UplinkResource extends CoapResource {
        UplinkResource(String name) {
            super(name);
        }

        @Override
        public void handlePOST(CoapExchange exchange) {
            String kind = getName().equals("result") ? "cmd/result" : getName();
            posts.add(new Post(kind, exchange.getRequestOptions().getContentFormat(), exchange.getRequestPayload()));
            exchange.respond(kind.equals("telemetry") ? telemetryAnswer : ResponseCode.CHANGED);
        }
    }

    private static final class CommandResource extends CoapResource {
        volatile byte[] current;
        volatile int contentFormat;

        CommandResource() {
            super("cmd");
            setObservable(true);
            getAttributes().setObservable();
        }

        @Override
        public void handleGET(CoapExchange exchange) {
            byte[] c = current;
            if (c == null) {
                exchange.respond(ResponseCode.CONTENT);
            } else {
                exchange.respond(ResponseCode.CONTENT, c, contentFormat);
            }
        }
    }
}
