package dev.fieldline.gateway.coap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.gateway.PortInUseException;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.mqtt.FakeDownlink;
import dev.fieldline.gateway.mqtt.FakeIngest;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Value;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The CoAP server against Californium's own client. */
@Tag("loopback")
class CoapIngestServerTest {
    private static final String SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]";
    private static final int MAX_BODY = 2048;

    private final FakeIngest ingest = new FakeIngest();
    private final FakeDownlink downlink = new FakeDownlink();
    private final Metrics metrics = new Metrics();
    private CoapIngestServer server;
    private CoapEndpoint clientEndpoint;
    private String base;

    @BeforeEach
    void start() {
        server = new CoapIngestServer(new CoapServerConfig("127.0.0.1", 0, MAX_BODY), ingest, downlink, metrics);
        InetSocketAddress address = server.start();
        base = "coap://127.0.0.1:" + address.getPort() + "/";
        CoapConfig.register();
        UdpConfig.register();
        clientEndpoint = new CoapEndpoint.Builder().setConfiguration(Configuration.createStandardWithoutFile())
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
    }

    @AfterEach
    void stop() {
        clientEndpoint.destroy();
        server.close();
    }

    private CoapClient client(String path) {
        CoapClient c = new CoapClient(base + path);
        c.setEndpoint(clientEndpoint);
        c.setTimeout(5000L);
        return c;
    }

    private CoapResponse post(String path, byte[] payload, int contentFormat) throws Exception {
        CoapClient c = client(path);
        try {
            return c.post(payload, contentFormat);
        } finally {
            c.shutdown();
        }
    }

    @Test
    void telemetryIsStoredAndAnsweredChanged() throws Exception {
        CoapResponse r = post("v1/d/dev-1/telemetry", SENML.getBytes(StandardCharsets.UTF_8), 110);
        assertThat(r.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(ingest.uplinks()).singleElement().satisfies(u -> {
            assertThat(u.transport()).isEqualTo(Transport.COAP);
            assertThat(u.deviceId()).isEqualTo("dev-1");
            assertThat(u.kind()).isEqualTo(MessageKind.TELEMETRY);
            assertThat(u.format()).isEqualTo(PayloadFormat.JSON);
        });
        CoapResponse result = post("v1/d/dev-1/cmd/result", new byte[] {(byte) 0xa0}, 60);
        assertThat(result.getCode()).isEqualTo(ResponseCode.CHANGED);
        assertThat(ingest.uplinks().get(1).kind()).isEqualTo(MessageKind.COMMAND_RESULT);
        assertThat(ingest.uplinks().get(1).format()).isEqualTo(PayloadFormat.CBOR);
    }

    @Test
    void theResponseWaitsForTheIngest() throws Exception {
        ingest.hold();
        CoapClient c = client("v1/d/dev-1/telemetry");
        List<CoapResponse> responses = new CopyOnWriteArrayList<>();
        try {
            c.post(new CoapHandler() {
                @Override
                public void onLoad(CoapResponse response) {
                    responses.add(response);
                }

                @Override
                public void onError() {
                }
            }, SENML.getBytes(StandardCharsets.UTF_8), 110);
            await().until(() -> ingest.held().size() == 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(responses::isEmpty);
            ingest.held().get(0).store();
            await().until(() -> responses.size() == 1);
            assertThat(responses.get(0).getCode()).isEqualTo(ResponseCode.CHANGED);
        } finally {
            c.shutdown();
        }
    }

    @Test
    void missingOrWrongContentFormatIsUnsupported() throws Exception {
        byte[] body = SENML.getBytes(StandardCharsets.UTF_8);
        assertThat(post("v1/d/dev-1/telemetry", body, MediaTypeRegistry.UNDEFINED).getCode())
                .isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertThat(post("v1/d/dev-1/telemetry", body, MediaTypeRegistry.TEXT_PLAIN).getCode())
                .isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        // SenML formats are for telemetry only
        assertThat(post("v1/d/dev-1/event", body, 110).getCode()).isEqualTo(ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
        assertThat(ingest.uplinks()).isEmpty();
        assertThat(metrics.get("ingest_rejected_total", "transport", "coap", "reason", "unsupported_format")).isEqualTo(3);
    }

    @Test
    void tooLargeBlockwiseBodyIsRefusedWithSize1() throws Exception {
        // bigger than the client's block size: sent block-wise, refused by Californium's block-wise layer
        byte[] blockwise = new byte[4 * MAX_BODY];
        blockwise[0] = '[';
        CoapResponse r = post("v1/d/dev-1/telemetry", blockwise, 110);
        assertThat(r.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
        assertThat(r.getOptions().getSize1()).isEqualTo(MAX_BODY);
        assertThat(ingest.uplinks()).isEmpty();
    }

    @Test
    void tooLargeSingleMessageIsRefusedWithSize1() throws Exception {
        CoapIngestServer small = new CoapIngestServer(new CoapServerConfig("127.0.0.1", 0, 512), ingest, downlink, metrics);
        try {
            base = "coap://127.0.0.1:" + small.start().getPort() + "/";
            byte[] body = new byte[900]; // one datagram: below the client's 1024-byte block size
            body[0] = '[';
            CoapResponse r = post("v1/d/dev-1/telemetry", body, 110);
            assertThat(r.getCode()).isEqualTo(ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            assertThat(r.getOptions().getSize1()).isEqualTo(512);
            assertThat(ingest.uplinks()).isEmpty();
            assertThat(metrics.get("ingest_rejected_total", "transport", "coap", "reason", "too_large")).isEqualTo(1);
        } finally {
            small.close();
        }
    }

    @Test
    void rejectedIsBadRequestWithDiagnostic() throws Exception {
        ingest.answer(u -> new IngestResult.Rejected(DecodeError.MALFORMED, "expected an array"));
        CoapResponse r = post("v1/d/dev-1/telemetry", "{}".getBytes(StandardCharsets.UTF_8), 110);
        assertThat(r.getCode()).isEqualTo(ResponseCode.BAD_REQUEST);
        assertThat(r.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
        assertThat(r.getResponseText()).isEqualTo("malformed: expected an array");
    }

    @Test
    void unavailableIsServiceUnavailableWithMaxAge() throws Exception {
        ingest.answer(u -> new IngestResult.Unavailable("store busy"));
        CoapResponse r = post("v1/d/dev-1/status", "{}".getBytes(StandardCharsets.UTF_8), 50);
        assertThat(r.getCode()).isEqualTo(ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(r.getOptions().getMaxAge()).isEqualTo(UplinkResource.RETRY_AFTER_SECONDS);
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        byte[] body = SENML.getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("v1/d/bad:id/telemetry", "v1/d/dev-1/unknown", "v1/d/dev-1/ack", "v1/x/dev-1/telemetry", "v1/d")) {
            assertThat(post(path, body, 110).getCode()).as(path).isEqualTo(ResponseCode.NOT_FOUND);
        }
        assertThat(ingest.uplinks()).isEmpty();
    }

    @Test
    void plainGetReturnsTheOldestPendingCommandOrAnEmptyPayload() throws Exception {
        CoapClient c = client("v1/d/dev-1/cmd");
        try {
            CoapResponse none = c.get();
            assertThat(none.getCode()).isEqualTo(ResponseCode.CONTENT);
            assertThat(none.getPayload()).isEmpty();

            downlink.enqueue("dev-1", new Command("c-1", "led", Map.of("on", new Value.Bool(true)), Instant.EPOCH));
            downlink.enqueue("dev-1", new Command("c-2", "led", Map.of("on", new Value.Bool(false)), Instant.EPOCH));
            CoapResponse json = c.get(MediaTypeRegistry.APPLICATION_JSON);
            assertThat(json.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_JSON);
            assertThat(new MessageCodec().decodeCommand(json.getPayload(), PayloadFormat.JSON).id()).isEqualTo("c-1");
            await().until(() -> downlink.delivered().size() == 1);

            CoapResponse cbor = c.get();
            assertThat(cbor.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.APPLICATION_CBOR);
            assertThat(new MessageCodec().decodeCommand(cbor.getPayload(), PayloadFormat.CBOR).id()).isEqualTo("c-2");
        } finally {
            c.shutdown();
        }
    }

    @Test
    void observersGetEveryCommandInOrderAndEachIsMarkedDelivered() throws Exception {
        CoapClient c = client("v1/d/dev-1/cmd");
        List<CoapResponse> notifications = new CopyOnWriteArrayList<>();
        try {
            CoapObserveRelation relation = c.observeAndWait(new CoapHandler() {
                @Override
                public void onLoad(CoapResponse response) {
                    notifications.add(response);
                }

                @Override
                public void onError() {
                }
            });
            assertThat(relation.isCanceled()).isFalse();
            await().until(() -> server.reaches("dev-1"));

            for (int i = 1; i <= 3; i++) {
                downlink.enqueue("dev-1", new Command("c-" + i, "interval", Map.of("seconds", new Value.Num(i)), Instant.EPOCH));
            }
            MessageCodec codec = new MessageCodec();
            await().until(() -> downlink.delivered().size() == 3);
            List<String> ids = notifications.stream().filter(r -> r.getPayload().length > 0)
                    .map(r -> codec.decodeCommand(r.getPayload(), PayloadFormat.CBOR).id()).distinct().toList();
            assertThat(ids).containsExactly("c-1", "c-2", "c-3");
            assertThat(downlink.delivered()).extracting(FakeDownlink.Delivery::commandId).containsExactly("c-1", "c-2", "c-3");

            relation.proactiveCancel();
            await().until(() -> !server.reaches("dev-1"));
        } finally {
            c.shutdown();
        }
    }

    @Test
    void noObserverMeansNotReachable() {
        assertThat(server.reaches("dev-1")).isFalse();
        assertThat(server.send("dev-1", new Command("c-1", "led", Map.of(), Instant.EPOCH))).isFalse();
    }

    @Test
    void bindFailureNamesThePortAndNoPropertiesFileIsWritten() {
        int port = Integer.parseInt(base.replaceAll(".*:(\\d+)/$", "$1"));
        CoapIngestServer second = new CoapIngestServer(new CoapServerConfig("127.0.0.1", port, MAX_BODY), ingest, downlink, metrics);
        assertThatThrownBy(second::start).isInstanceOf(PortInUseException.class).hasMessageContaining(String.valueOf(port));
        second.close();
        assertThat(Files.exists(Path.of("Californium3.properties"))).isFalse();
    }
}
