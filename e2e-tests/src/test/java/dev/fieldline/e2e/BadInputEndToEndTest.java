package dev.fieldline.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.Topics;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed, oversized, wrongly typed and wrongly labelled messages interleaved with valid ones over
 * MQTT, CoAP and HTTP: each bad one is refused with the transport's error and counted, nothing
 * crashes, and every valid message is stored.
 */
@Tag("loopback")
class BadInputEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int VALID = 40;
    private static final SenmlCodec CODEC = new SenmlCodec();

    /** Bad payloads with the reason the gateway must give. */
    private static final List<byte[]> BAD_JSON = List.of(
            "[{\"n\":\"temperature\",\"v\":".getBytes(StandardCharsets.UTF_8),           // truncated
            "[{\"n\":\"temperature\",\"v\":\"abc\"}]".getBytes(StandardCharsets.UTF_8),    // wrong type
            "[{\"n\":\"temperature\",\"u\":\"degC\",\"v\":1}]".getBytes(StandardCharsets.UTF_8), // unknown unit
            "[{\"n\":\"bad name\",\"v\":1}]".getBytes(StandardCharsets.UTF_8),            // invalid name
            "{\"n\":\"temperature\",\"v\":1}".getBytes(StandardCharsets.UTF_8),           // not a pack
            "[{\"n\":\"temperature\",\"v\":1,\"foo_\":2}]".getBytes(StandardCharsets.UTF_8)); // must-understand
    private static final byte[] BAD_CBOR = {(byte) 0x81, (byte) 0xa2, 0x00, 0x61}; // truncated map

    @TempDir
    Path dir;

    private static byte[] valid(String device, int seq, PayloadFormat format) {
        return CODEC.encode(new Telemetry(device, new Sequence(1, seq),
                List.of(Reading.of("temperature", "Cel", 20 + seq / 100.0, Instant.now()))), format);
    }

    @Test
    void mqttRejectsAndCountsBadPayloadsWhileStoringEveryValidOne() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            MqttAsyncClient client = new MqttAsyncClient(gw.mqttUrl(), "bad-mqtt", new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setCleanStart(true);
            client.connect(o).waitForCompletion(10_000);
            String topic = Topics.topic("bad-mqtt", MessageKind.TELEMETRY);
            AtomicInteger acked = new AtomicInteger();
            int bad = 0;
            try {
                for (int seq = 1; seq <= VALID; seq++) {
                    client.publish(topic, new MqttMessage(valid("bad-mqtt", seq, PayloadFormat.CBOR), 1, false, null),
                            null, counting(acked));
                    byte[] junk = seq % 7 == 0 ? BAD_CBOR : BAD_JSON.get(seq % BAD_JSON.size());
                    client.publish(topic, new MqttMessage(junk, 1, false, null));
                    bad++;
                }
                await().atMost(WAIT).until(() -> acked.get() == VALID);
            } finally {
                client.disconnect().waitForCompletion(5_000);
                client.close();
            }
            int expectedBad = bad;
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(gw.readingCount("bad-mqtt")).isEqualTo(VALID);
                assertThat(gw.gateway().metrics().total("ingest_rejected_total")).isEqualTo(expectedBad);
            });
            assertThat(gw.gateway().metrics().get("ingest_rejected_total", "transport", "mqtt", "reason", "malformed")).isPositive();
            assertThat(gw.gateway().metrics().get("ingest_rejected_total", "transport", "mqtt", "reason", "invalid_unit")).isPositive();
        }
    }

    @Test
    void coapAnswers400And413And415AndStoresTheValidOnes() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            CoapClient client = new CoapClient(gw.coapUrl() + "/v1/d/bad-coap/telemetry");
            client.setTimeout(10_000L);
            try {
                for (int seq = 1; seq <= VALID; seq++) {
                    CoapResponse ok = client.post(valid("bad-coap", seq, PayloadFormat.CBOR), 112);
                    assertThat(ok.isSuccess()).as("valid POST: %s", ok.getCode()).isTrue();
                    byte[] junk = BAD_JSON.get(seq % BAD_JSON.size());
                    CoapResponse no = client.post(junk, 110);
                    assertThat(no.getCode()).as(no.getResponseText()).isEqualTo(CoAP.ResponseCode.BAD_REQUEST);
                }
                CoapResponse cbor = client.post(BAD_CBOR, 112);
                assertThat(cbor.getCode()).isEqualTo(CoAP.ResponseCode.BAD_REQUEST);
                CoapResponse text = client.post("temperature=20".getBytes(StandardCharsets.UTF_8), MediaTypeRegistry.TEXT_PLAIN);
                assertThat(text.getCode()).isEqualTo(CoAP.ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
                CoapResponse none = client.post(valid("bad-coap", 999, PayloadFormat.JSON), MediaTypeRegistry.UNDEFINED);
                assertThat(none.getCode()).isEqualTo(CoAP.ResponseCode.UNSUPPORTED_CONTENT_FORMAT);
                byte[] big = new byte[70 * 1024];
                Arrays.fill(big, (byte) ' ');
                big[0] = '[';
                CoapResponse large = client.post(big, 110);
                assertThat(large.getCode()).isEqualTo(CoAP.ResponseCode.REQUEST_ENTITY_TOO_LARGE);
            } finally {
                client.shutdown();
            }
            assertThat(gw.readingCount("bad-coap")).isEqualTo(VALID);
        }
    }

    @Test
    void httpAnswers400And413And415WithAJsonReasonAndStoresTheValidOnes() {
        try (GatewayFixture gw = GatewayFixture.start(dir)) {
            for (int seq = 1; seq <= VALID; seq++) {
                HttpResponse<String> ok = gw.post("/api/v1/data?device=bad-http", "application/senml+json",
                        valid("bad-http", seq, PayloadFormat.JSON));
                assertThat(ok.statusCode()).as(ok.body()).isBetween(200, 299);
                HttpResponse<String> no = gw.post("/api/v1/data?device=bad-http", "application/senml+json",
                        BAD_JSON.get(seq % BAD_JSON.size()));
                assertThat(no.statusCode()).isEqualTo(400);
                JsonNode reason = GatewayFixture.parse(no.body());
                assertThat(reason.get("error").asText()).isNotBlank();
                assertThat(reason.get("message").asText()).isNotBlank();
            }
            HttpResponse<String> cbor = gw.post("/api/v1/data?device=bad-http", "application/senml+cbor", BAD_CBOR);
            assertThat(cbor.statusCode()).isEqualTo(400);
            HttpResponse<String> text = gw.post("/api/v1/data?device=bad-http", "text/plain", "t=1".getBytes(StandardCharsets.UTF_8));
            assertThat(text.statusCode()).isEqualTo(415);
            assertThat(GatewayFixture.parse(text.body()).get("error").asText()).isEqualTo("unsupported_format");
            byte[] big = new byte[70 * 1024];
            Arrays.fill(big, (byte) ' ');
            HttpResponse<String> large = gw.post("/api/v1/data?device=bad-http", "application/senml+json", big);
            assertThat(large.statusCode()).isEqualTo(413);
            assertThat(GatewayFixture.parse(large.body()).get("error").asText()).isEqualTo("too_large");
            assertThat(gw.readingCount("bad-http")).isEqualTo(VALID);
        }
    }

    private static MqttActionListener counting(AtomicInteger acked) {
        return new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                acked.incrementAndGet();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
            }
        };
    }
}
