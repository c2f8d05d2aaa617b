package dev.fieldline.e2e;

import dev.fieldline.gateway.registry.DeviceCredentials;
import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Topics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Sends telemetry to a secure gateway as enrolled devices over every transport and answers, per
 * message, "stored" or the refusal reason the transport reported: MQTT (device login; the PUBACK
 * reason code, see {@link #mqttRefusal}), CoAP over DTLS (device PSK; the diagnostic payload), plain CoAP (refused in secure
 * mode) and HTTP (operator token; the JSON error code). Asynchronous, each sender with a bounded
 * window of unanswered messages.
 */
final class TrafficSenders implements AutoCloseable {
    private static final int WINDOW = 32;
    private static final String COSE_TYPE = PayloadFormat.COSE_SIGN1_MEDIA_TYPE;
    private static final String SENML_CBOR = PayloadFormat.CBOR.mediaType(MessageKind.TELEMETRY);

    enum Via {
        MQTT("mqtt"), COAPS("coap"), HTTP("http"), COAP("coap");

        private final String transport;

        Via(String transport) {
            this.transport = transport;
        }

        /** The transport label the gateway counts it under. */
        String transport() {
            return transport;
        }
    }

    private final GatewayFixture gw;
    private final String operatorToken;
    private final Map<String, MqttAsyncClient> mqtt = new HashMap<>();
    private final Map<String, CoapClient> coaps = new HashMap<>();
    private final List<CoapEndpoint> endpoints = new ArrayList<>();
    private final Map<Object, Semaphore> windows = new HashMap<>();
    private CoapClient coap;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TrafficSenders(GatewayFixture gw, String operatorToken) {
        this.gw = gw;
        this.operatorToken = operatorToken;
    }

    static TrafficSenders open(GatewayFixture gw, DeviceCredentials a, DeviceCredentials b, String operatorToken) throws Exception {
        TrafficSenders s = new TrafficSenders(gw, operatorToken);
        try {
            for (DeviceCredentials d : List.of(a, b)) {
                s.mqtt.put(d.deviceId(), s.login(d));
                s.coaps.put(d.deviceId(), s.dtls(d));
            }
            CoapEndpoint udp = CoapEndpoint.builder()
                    .setInetSocketAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).build();
            s.endpoints.add(udp);
            s.coap = new CoapClient();
            s.coap.setEndpoint(udp);
            s.coap.setTimeout(10_000L);
        } catch (Exception e) {
            s.close();
            throw e;
        }
        return s;
    }

    private MqttAsyncClient login(DeviceCredentials d) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(gw.mqttUrl(), d.deviceId(), new MemoryPersistence());
        mqtt.put(d.deviceId(), c);
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setUserName(d.deviceId());
        o.setPassword(d.token().getBytes(StandardCharsets.UTF_8));
        // No reason strings in PUBACKs: the gateway's can hold a line feed (a multi-line decoder message),
        // which Paho refuses as invalid UTF-8, killing the connection. The reason is counted by the gateway.
        o.setRequestProblemInfo(false);
        c.connect(o).waitForCompletion(10_000);
        return c;
    }

    private CoapClient dtls(DeviceCredentials d) {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.NSTART, WINDOW);
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                .set(DtlsConfig.DTLS_MAX_DEFERRED_OUTBOUND_APPLICATION_MESSAGES, WINDOW)
                .setAdvancedPskStore(new AdvancedSinglePskStore(new PskPublicInformation(d.deviceId()),
                        SecretUtil.create(DevicePsk.derive(d.token()), "PSK")))
                .build();
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config).setConnector(new DTLSConnector(dtls)).build();
        endpoints.add(endpoint);
        CoapClient c = new CoapClient();
        c.setEndpoint(endpoint);
        c.setTimeout(10_000L);
        return c;
    }

    /** Sends one telemetry message for {@code device}; completes with "stored" or the refusal's reason code. */
    CompletableFuture<String> send(Via via, String device, byte[] payload, boolean signed) throws InterruptedException {
        Semaphore window = windows.computeIfAbsent(via == Via.HTTP || via == Via.COAP ? via : via + "/" + device,
                k -> new Semaphore(WINDOW));
        window.acquire();
        CompletableFuture<String> answer = switch (via) {
            case MQTT -> mqtt(device, payload, signed);
            case COAPS -> coap(coaps.get(device), "coaps://127.0.0.1:" + gw.gateway().coapsAddress().orElseThrow().getPort(),
                    device, payload, signed);
            case COAP -> coap(coap, gw.coapUrl(), device, payload, signed);
            case HTTP -> http(device, payload, signed);
        };
        return answer.whenComplete((a, e) -> window.release());
    }

    private CompletableFuture<String> mqtt(String device, byte[] payload, boolean signed) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        MqttProperties props = new MqttProperties();
        props.setContentType(signed ? COSE_TYPE : SENML_CBOR);
        try {
            mqtt.get(device).publish(Topics.topic(device, MessageKind.TELEMETRY), new MqttMessage(payload, 1, false, props), null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            int code = token.getReasonCodes()[0];
                            answer.complete(code < 0x80 ? "stored" : mqttRefusal(code));
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable e) {
                            answer.complete("failed: " + e);
                        }
                    });
        } catch (MqttException e) {
            answer.complete("failed: " + e);
        }
        return answer;
    }

    private static CompletableFuture<String> coap(CoapClient client, String base, String device, byte[] payload, boolean signed) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        Request r = Request.newPost();
        r.setURI(URI.create(base + "/v1/d/" + device + "/telemetry"));
        r.setPayload(payload);
        r.getOptions().setContentFormat(signed ? PayloadFormat.COSE_SIGN1_CONTENT_FORMAT
                : PayloadFormat.CBOR.coapContentFormat(MessageKind.TELEMETRY));
        client.advanced(new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (response.isSuccess()) {
                    answer.complete("stored");
                } else if (response.getCode() == CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE) {
                    answer.complete("too_large");
                } else {
                    answer.complete(code(response.getResponseText()));
                }
            }

            @Override
            public void onError() {
                answer.complete("failed: no CoAP response");
            }
        }, r);
        return answer;
    }

    private CompletableFuture<String> http(String device, byte[] payload, boolean signed) {
        HttpRequest request = HttpRequest.newBuilder(gw.api("/api/v1/data?device=" + device))
                .header("Authorization", "Bearer " + operatorToken)
                .header("Content-Type", signed ? COSE_TYPE : SENML_CBOR)
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
            if (e != null) {
                return "failed: " + e;
            }
            if (r.statusCode() / 100 == 2) {
                return "stored";
            }
            return GatewayFixture.parse(r.body()).path("error").asText("http_" + r.statusCode());
        });
    }

    /**
     * What an MQTT 5 PUBACK says without a reason string: the gateway answers 0x83 (implementation
     * specific error) for an oversized payload and 0x99 (payload format invalid) for every other refusal.
     */
    static String mqttRefusal(int code) {
        return switch (code) {
            case 0x83 -> "too_large";
            case 0x99 -> "payload_format_invalid";
            default -> "mqtt_0x" + Integer.toHexString(code);
        };
    }

    /** The reason code at the start of "reason: message". */
    private static String code(String diagnostic) {
        int colon = diagnostic.indexOf(':');
        return colon < 0 ? diagnostic : diagnostic.substring(0, colon);
    }

    @Override
    public void close() {
        for (MqttAsyncClient c : mqtt.values()) {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(5_000);
                }
                c.close(true);
            } catch (MqttException e) {
                // closing after the test
            }
        }
        coaps.values().forEach(CoapClient::shutdown);
        if (coap != null) {
            coap.shutdown();
        }
        endpoints.forEach(CoapEndpoint::destroy);
    }
}
