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
