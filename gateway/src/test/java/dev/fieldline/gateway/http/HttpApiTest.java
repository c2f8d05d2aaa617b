package dev.fieldline.gateway.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.protocol.Severity;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.analytics.SensorFaultRule;
import dev.fieldline.gateway.analytics.ThresholdConfig;
import dev.fieldline.gateway.analytics.ThresholdRule;
import dev.fieldline.gateway.downlink.DefaultDownlink;
import dev.fieldline.gateway.downlink.DownlinkTransport;
import dev.fieldline.gateway.ingest.IngestPipeline;
import dev.fieldline.gateway.ingest.IngestResult;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.gateway.store.SqliteStore;
import dev.fieldline.gateway.store.SqliteStoreConfig;
import dev.fieldline.gateway.testing.Uplinks;
import dev.fieldline.protocol.Command;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Status;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("loopback")
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Uplinks.T0;
    private static final int LIMIT = 4096;

    @TempDir
    Path dir;

    private final Metrics metrics = new Metrics();
    private final HttpClient client = HttpClient.newHttpClient();
    private SqliteStore store;
    private IngestPipeline pipeline;
    private DefaultDownlink downlink;
    private HttpApi api;
    private String base;

    @BeforeEach
    void start() {
        DecodeLimits limits = DecodeLimits.DEFAULT.withMaxPayloadBytes(LIMIT);
        store = SqliteStore.open(SqliteStoreConfig.defaults(dir), metrics);
        pipeline = new IngestPipeline(store, metrics, limits);
        downlink = new DefaultDownlink(store, metrics, limits, Clock.systemUTC());
        pipeline.addListener(new ThresholdRule(ThresholdConfig.DEFAULT, store, metrics, Clock.systemUTC()));
        pipeline.addListener(new SensorFaultRule(store, metrics, Clock.systemUTC(), List.of()));
        pipeline.addListener(downlink);
        api = new HttpApi(new HttpApiConfig("127.0.0.1", 0, limits), pipeline, downlink, store, metrics,
                () -> Map.of("http", "127.0.0.1:" + api.address().orElseThrow().getPort()), Clock.systemUTC());
        base = "http://127.0.0.1:" + api.start().getPort();
    }

    @AfterEach
    void stop() {
        api.close();
        store.close();
    }

    // ------------------------------------------------------------------ helpers

    private record Reply(int status, String contentType, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    private Reply send(HttpRequest.Builder b) throws Exception {
        HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    private Reply get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    private Reply post(String path, String contentType, byte[] body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Reply post(String path, String contentType, String body) throws Exception {
        return post(path, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] pack(String device, long seq, PayloadFormat format, Reading... readings) {
        return Uplinks.telemetryBytes(device, Optional.of(new Sequence(1, seq)), format, readings);
    }

    private static Reading temp(double v, int second) {
        return Reading.of("temperature", "Cel", v, T0.plusSeconds(second));
    }

    /** A 4xx/5xx answer is JSON {"error": code, "message": ...}. */
    private static void assertError(Reply r, int status, String code) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/json");
        JsonNode j = r.json();
        assertThat(j.path("error").asText()).isEqualTo(code);
        assertThat(j.path("message").asText()).isNotBlank();
    }

    // ------------------------------------------------------------------ data in

    @Test
    void postedSenmlIsStoredOnceAndARepeatIsAcknowledgedAsDuplicate() throws Exception {
        byte[] body = pack("dev-1", 1, PayloadFormat.JSON, temp(21.5, 0), Reading.of("humidity", "%RH", 40, T0));

        Reply first = post("/api/v1/data?device=dev-1", "application/senml+json", body);
        Reply again = post("/api/v1/data?device=dev-1", "application/senml+json", body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().path("result").asText()).isEqualTo("stored");
        assertThat(first.json().path("readings").asInt()).isEqualTo(2);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("result").asText()).isEqualTo("duplicate");
        assertThat(store.device("dev-1").orElseThrow().readings()).isEqualTo(2);
        assertThat(metrics.get("ingest_stored_total", "transport", "http")).isEqualTo(1);
    }

    @Test
    void theDeviceComesFromTheBaseNameWhenNotInTheQueryAndCborIsAccepted() throws Exception {
        Reply r = post("/api/v1/data", "application/senml+cbor", pack("dev-7", 1, PayloadFormat.CBOR, temp(20, 0)));
        Reply plainCbor = post("/api/v1/data", "application/cbor", pack("dev-7", 2, PayloadFormat.CBOR, temp(20, 1)));
        Reply plainJson = post("/api/v1/data", "application/json; charset=utf-8", pack("dev-7", 3, PayloadFormat.JSON, temp(20, 2)));

        assertThat(List.of(r.status(), plainCbor.status(), plainJson.status())).containsOnly(201);
        assertThat(r.json().path("device").asText()).isEqualTo("dev-7");
        assertThat(store.device("dev-7").orElseThrow().messages()).isEqualTo(3);
    }

    @Test
    void badPayloadsAreRefusedWithTheirReasonAsJson() throws Exception {
        assertError(post("/api/v1/data?device=d", "application/senml+json", "[{\"n\":\"t\",\"v\":"), 400, "malformed");
        assertError(post("/api/v1/data?device=d", "application/senml+cbor", new byte[] {(byte) 0x9f, (byte) 0xff, 0x00}),
                400, "malformed");
        assertError(post("/api/v1/data?device=d", "application/senml+json", "[{\"n\":\"t\",\"v\":\"hot\"}]"), 400, "wrong_type");
        assertError(post("/api/v1/data?device=d", "application/senml+json", "[{\"n\":\"t\",\"u\":\"furlong\",\"v\":1}]"),
                400, "invalid_unit");
        assertError(post("/api/v1/data", "application/senml+json", "[{\"n\":\"t\",\"v\":1}]"), 400, "missing_field");
        assertError(post("/api/v1/data?device=no/pe", "application/senml+json", "[{\"n\":\"t\",\"v\":1}]"), 400, "invalid_device");
        assertError(post("/api/v1/data?device=dev-1", "application/senml+json",
                "[{\"bn\":\"urn:dev:fl:dev-2:\",\"n\":\"t\",\"v\":1}]"), 400, "device_mismatch");
        assertError(post("/api/v1/data?device=d", "text/plain", "[{\"n\":\"t\",\"v\":1}]"), 415, "unsupported_format");
        assertThat(store.devices()).isEmpty();
        assertThat(metrics.get("ingest_rejected_total", "transport", "http", "reason", "wrong_type")).isEqualTo(1);
        assertThat(metrics.get("ingest_rejected_total", "transport", "http", "reason", "unsupported_format")).isEqualTo(1);
        assertThat(metrics.get("ingest_rejected_total", "transport", "http", "reason", "missing_field")).isEqualTo(1);
        assertThat(metrics.get("ingest_received_total", "transport", "http")).isEqualTo(8);
    }

    @Test
    void bodiesOverTheLimitAre413WhetherDeclaredOrStreamed() throws Exception {
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; big.length() < LIMIT + 100; i++) {
            big.append(i == 0 ? "" : ",").append("{\"n\":\"t").append(i).append("\",\"v\":1}");
        }
        byte[] body = big.append("]").toString().getBytes(StandardCharsets.UTF_8);

        assertError(post("/api/v1/data?device=d", "application/senml+json", body), 413, "too_large");
        Reply chunked = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/data?device=d"))
                .header("Content-Type", "application/senml+json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));
        assertError(chunked, 413, "too_large");
        assertError(post("/api/v1/status", "application/json", body), 413, "too_large");
        assertThat(store.devices()).isEmpty();
    }

    @Test
    void validDataSentAlongsideBadDataIsAllStored() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            byte[] body = i % 3 == 0 ? "[{\"n\":".getBytes(StandardCharsets.UTF_8)
                    : pack("dev-" + (i % 2), i, PayloadFormat.CBOR, temp(i, i));
            replies.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/data"
                            + (i % 3 == 0 ? "?device=dev-0" : ""))).header("Content-Type", "application/senml+cbor")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).join();
        assertThat(replies.stream().filter(f -> f.join().statusCode() == 201).count()).isEqualTo(40);
        assertThat(replies.stream().filter(f -> f.join().statusCode() == 400).count()).isEqualTo(20);
        Reply all = get("/api/v1/data?limit=1000");
        assertThat(all.json()).hasSize(40);
    }

    // ------------------------------------------------------------------ data out

    @Test
    void dataQueriesFilterByDeviceMetricTimeAndLimitNewestFirst() throws Exception {
        for (int i = 0; i < 10; i++) {
            post("/api/v1/data?device=dev-1", "application/senml+json",
                    pack("dev-1", i + 1, PayloadFormat.JSON, temp(i, i), Reading.of("humidity", "%RH", 50, T0.plusSeconds(i))));
            post("/api/v1/data?device=dev-2", "application/senml+json", pack("dev-2", i + 1, PayloadFormat.JSON, temp(100 + i, i)));
        }

        Reply r = get("/api/v1/data?device=dev-1&metric=temperature&from=" + T0.plusSeconds(2) + "&to="
                + T0.plusSeconds(6).toEpochMilli() + "&limit=3");

        assertThat(r.status()).isEqualTo(200);
        JsonNode rows = r.json();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).path("value").asDouble()).isEqualTo(5.0);
        assertThat(rows.get(2).path("value").asDouble()).isEqualTo(3.0);
        JsonNode first = rows.get(0);
        assertThat(first.path("device").asText()).isEqualTo("dev-1");
        assertThat(first.path("metric").asText()).isEqualTo("temperature");
        assertThat(first.path("unit").asText()).isEqualTo("Cel");
        assertThat(first.path("time").asText()).isEqualTo(T0.plusSeconds(5).toString());
        assertThat(first.path("bootId").asLong()).isEqualTo(1);
        assertThat(first.path("seq").asLong()).isEqualTo(6);

        assertThat(get("/api/v1/data").json()).hasSize(30);
        assertThat(get("/api/v1/data?metric=temperature&limit=10000").json()).hasSize(20);
        assertThat(get("/api/v1/data?from=2025-03-01T13:00:00%2B01:00&to=2025-03-01T12:00:01Z").json())
                .as("offsets accepted; [from, to) half open").hasSize(3);
        assertError(get("/api/v1/data?from=yesterday"), 400, "bad_parameter");
        assertError(get("/api/v1/data?limit=0"), 400, "bad_parameter");
        assertError(get("/api/v1/data?limit=10001"), 400, "bad_parameter");
        assertError(get("/api/v1/data?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z"), 400, "bad_parameter");
        assertError(get("/api/v1/data?device=%2F"), 400, "invalid_device");
    }

    // ------------------------------------------------------------------ status and devices

    @Test
    void statusInTheSeedsFormAndInTheProtocolsFormUpdatesTheDevice() throws Exception {
        Reply seed = post("/api/v1/status", "application/json",
                "{\"device\":\"dev-1\",\"state\":\"online\",\"bootId\":3,\"uptime\":12.5,\"counters\":{\"sent\":4}}");
        assertThat(seed.status()).as(seed.body()).isEqualTo(200);
        assertThat(seed.json().path("state").asText()).isEqualTo("online");

        Reply status = get("/api/v1/status?device=dev-1");
        assertThat(status.json().path("bootId").asLong()).isEqualTo(3);
        assertThat(status.json().path("uptimeSeconds").asDouble()).isEqualTo(12.5);
        assertThat(status.json().path("counters").path("sent").asLong()).isEqualTo(4);

        byte[] protocolForm = Uplinks.status(dev.fieldline.gateway.ingest.Transport.HTTP, "dev-1",
                dev.fieldline.protocol.DeviceState.OFFLINE).payload();
        assertThat(post("/api/v1/status", "application/json", protocolForm).status()).isEqualTo(200);
        assertThat(get("/api/v1/status?device=dev-1").json().path("state").asText()).isEqualTo("offline");
        assertThat(get("/api/v1/status").json()).hasSize(1);

        assertError(post("/api/v1/status", "application/json", "{\"device\":\"dev-1\",\"state\":\"sleeping\"}"), 400, "wrong_type");
        assertError(post("/api/v1/status", "application/json", "{\"device\":\"dev-1\",\"state\":\"online\",\"bootId\":-1}"),
                400, "wrong_type");
        assertError(post("/api/v1/status", "application/json", "{\"state\":\"online\"}"), 400, "missing_field");
        assertError(post("/api/v1/status", "application/json", "{\"device\":"), 400, "malformed");
        assertError(post("/api/v1/status", "text/plain", "online"), 415, "unsupported_format");
        assertError(get("/api/v1/status?device=ghost"), 404, "not_found");
    }

    @Test
    void sensorHealthInAProtocolStatusIsShownAndAFaultRaisesOneAlert() throws Exception {
        MessageCodec codec = new MessageCodec(DecodeLimits.DEFAULT);
        SensorHealth pressure = new SensorHealth("pressure", SensorHealth.State.FAULTED, "nack", "no ACK from 0x77",
                T0.plusSeconds(2), 3);
        Status withSensors = new Status("dev-1", 3, T0.plusSeconds(5), DeviceState.ONLINE, Duration.ofSeconds(5), 0, 10,
                Map.of(), List.of(SensorHealth.ok("temperature", T0), pressure));
        assertThat(post("/api/v1/status", "application/json", codec.encode(withSensors, PayloadFormat.JSON)).status())
                .isEqualTo(200);
        post("/api/v1/status", "application/json", "{\"device\":\"dev-2\",\"state\":\"online\"}");

        JsonNode status = get("/api/v1/status?device=dev-1").json();
        assertThat(status.path("faultedSensors").asLong()).isEqualTo(1);
        JsonNode sensors = status.path("sensors");
        assertThat(sensors).hasSize(2);
        assertThat(sensors.get(0).path("name").asText()).isEqualTo("temperature");
        assertThat(sensors.get(0).path("state").asText()).isEqualTo("ok");
        JsonNode faulted = sensors.get(1);
        assertThat(faulted.path("name").asText()).isEqualTo("pressure");
        assertThat(faulted.path("state").asText()).isEqualTo("faulted");
        assertThat(faulted.path("reason").asText()).isEqualTo("nack");
        assertThat(faulted.path("message").asText()).isEqualTo("no ACK from 0x77");
        assertThat(faulted.path("since").asText()).isEqualTo(T0.plusSeconds(2).toString());
        assertThat(faulted.path("retries").asLong()).isEqualTo(3);
        assertThat(get("/api/v1/devices/dev-1").json().path("status").path("sensors")).isEqualTo(sensors);
        assertThat(get("/api/v1/status?device=dev-2").json().has("sensors")).as("never reported any").isFalse();

        // still faulted: no second alert for pressure; a new fault on temperature raises its own
        post("/api/v1/status", "application/json", codec.encode(withSensors, PayloadFormat.JSON));
        Status both = new Status("dev-1", 3, T0.plusSeconds(9), DeviceState.ONLINE, Duration.ofSeconds(9), 0, 12, Map.of(),
                List.of(new SensorHealth("temperature", SensorHealth.State.FAULTED, "timeout", "", T0.plusSeconds(8), 0),
                        pressure));
        post("/api/v1/status", "application/json", codec.encode(both, PayloadFormat.JSON));
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/api/v1/alerts?device=dev-1").json().size() == 2);
        JsonNode alerts = get("/api/v1/alerts?device=dev-1").json();
        List<String> metricsAlerted = new ArrayList<>();
        alerts.forEach(a -> {
            assertThat(a.path("rule").asText()).isEqualTo(SensorFaultRule.RULE);
            metricsAlerted.add(a.path("metric").asText());
        });
        assertThat(metricsAlerted).containsExactlyInAnyOrder("pressure", "temperature");
        assertThat(get("/api/v1/status?device=dev-1").json().path("faultedSensors").asLong()).isEqualTo(2);
    }

    @Test
    void devicesAreListedAndDescribed() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)));
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 3, PayloadFormat.JSON, temp(20, 2)));

        JsonNode list = get("/api/v1/devices").json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo("dev-1");
        assertThat(list.get(0).path("transport").asText()).isEqualTo("http");
        assertThat(list.get(0).path("messages").asLong()).isEqualTo(2);
        assertThat(list.get(0).path("state").asText()).isEqualTo("unknown");

        JsonNode one = get("/api/v1/devices/dev-1").json();
        assertThat(one.path("boots").get(0).path("missing").asLong()).isEqualTo(1);
        assertThat(one.path("boots").get(0).path("highestSeq").asLong()).isEqualTo(3);
        assertError(get("/api/v1/devices/ghost"), 404, "not_found");
    }

    // ------------------------------------------------------------------ commands and alerts

    @Test
    void aCommandIsAcceptedDeliveredAndSettledByTheDevicesResult() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)));

        Reply created = post("/api/v1/devices/dev-1/commands", "application/json", "{\"name\":\"led\",\"args\":{\"on\":true}}");

        assertThat(created.status()).as(created.body()).isEqualTo(202);
        String id = created.json().path("id").asText();
        assertThat(created.json().path("state").asText()).isEqualTo("pending");
        assertThat(created.json().path("args").path("on").asBoolean()).isTrue();

        // A transport connects and takes what is pending; the device answers over the ingest.
        List<Command> sent = new CopyOnWriteArrayList<>();
        DownlinkTransport transport = new DownlinkTransport() {
            @Override
            public boolean send(String deviceId, Command command) {
                return sent.add(command);
            }

            @Override
            public boolean reaches(String deviceId) {
                return true;
            }
        };
        for (Command c : downlink.pending("dev-1")) {
            transport.send("dev-1", c);
            downlink.delivered("dev-1", c.id());
        }
        assertThat(sent).extracting(Command::name).containsExactly("led");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                get("/api/v1/devices/dev-1/commands").json().get(0).path("state").asText().equals("delivered"));
        IngestResult result = pipeline.submit(Uplinks.commandResult("dev-1", 1, 2, id, true, "done")).get();
        assertThat(result).isInstanceOf(IngestResult.Stored.class);

        JsonNode list = get("/api/v1/devices/dev-1/commands").json();
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("state").asText()).isEqualTo("succeeded");
        assertThat(list.get(0).path("result").asText()).isEqualTo("done");
    }

    @Test
    void badCommandsAreRefused() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)));
        String path = "/api/v1/devices/dev-1/commands";
        assertError(post("/api/v1/devices/ghost/commands", "application/json", "{\"name\":\"led\"}"), 404, "not_found");
        assertError(get("/api/v1/devices/ghost/commands"), 404, "not_found");
        assertError(post(path, "application/json", "{\"name\":"), 400, "malformed");
        assertError(post(path, "application/json", "[1]"), 400, "malformed");
        assertError(post(path, "application/json", "{\"args\":{}}"), 400, "missing_field");
        assertError(post(path, "application/json", "{\"name\":5}"), 400, "wrong_type");
        assertError(post(path, "application/json", "{\"name\":\"led\",\"args\":[true]}"), 400, "wrong_type");
        assertError(post(path, "application/json", "{\"name\":\"led\",\"args\":{\"on\":{\"x\":1}}}"), 400, "wrong_type");
        assertError(post(path, "application/json", "{\"name\":\"led\",\"args\":{\"on\":null}}"), 400, "wrong_type");
        assertError(post(path, "application/json", "{\"name\":\"has spaces\"}"), 400, "invalid_name");
        assertError(post(path, "text/plain", "{\"name\":\"led\"}"), 415, "unsupported_format");
        assertThat(get(path).json()).isEmpty();
    }

    @Test
    void readingsAboveTheThresholdShowUpAsAlerts() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(80, 0), temp(70, 1)));
        post("/api/v1/data?device=dev-2", "application/senml+json", pack("dev-2", 1, PayloadFormat.JSON, temp(90, 0)));

        await().atMost(Duration.ofSeconds(5)).until(() -> get("/api/v1/alerts").json().size() == 2);
        JsonNode alerts = get("/api/v1/alerts?device=dev-1&state=open").json();
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).path("value").asDouble()).isEqualTo(80.0);
        assertThat(alerts.get(0).path("threshold").asDouble()).isEqualTo(75.0);
        assertThat(alerts.get(0).path("severity").asText()).isEqualTo("warning");
        assertThat(get("/api/v1/alerts?state=resolved").json()).isEmpty();
        assertError(get("/api/v1/alerts?state=bogus"), 400, "bad_parameter");
        assertThat(get("/api/v1/alerts?state=closed").json().path("message").asText())
                .contains("state must be open, acknowledged, resolved");
    }

    private Reply postJson(String path, String body) throws Exception {
        return post(path, "application/json", body);
    }

    @Test
    void anAlertIsAcknowledgedThenResolvedAndIllegalStepsAre409() throws Exception {
        long id = store.raise(new Alert("dev-1", "hot", "temperature", 80, 75, Severity.WARNING, "too hot", T0, T0),
                "hot/dev-1/temperature").get().id();
        store.raise(new Alert("dev-1", "hot", "temperature", 82, 75, Severity.WARNING, "too hot", T0, T0.plusSeconds(3)),
                "hot/dev-1/temperature").get();
        JsonNode one = get("/api/v1/alerts/" + id).json();
        assertThat(one.path("state").asText()).isEqualTo("open");
        assertThat(one.path("count").asLong()).isEqualTo(2);
        assertThat(one.path("lastSeen").asText()).isEqualTo(T0.plusSeconds(3).toString());
        assertThat(one.path("dedupKey").asText()).isEqualTo("hot/dev-1/temperature");

        Reply acked = postJson("/api/v1/alerts/" + id + "/acknowledge", "{\"note\":\"on it\"}");
        assertThat(acked.status()).as(acked.body()).isEqualTo(200);
        assertThat(acked.json().path("state").asText()).isEqualTo("acknowledged");
        assertThat(acked.json().path("acknowledgedBy").asText()).isEqualTo("anonymous");
        assertThat(acked.json().path("note").asText()).isEqualTo("on it");
        assertError(postJson("/api/v1/alerts/" + id + "/acknowledge", ""), 409, "conflict");

        Reply resolved = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alerts/" + id + "/resolve"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(resolved.status()).as(resolved.body()).isEqualTo(200);
        assertThat(resolved.json().path("state").asText()).isEqualTo("resolved");
        assertThat(resolved.json().path("resolvedAt").asText()).isNotEmpty();
        assertThat(resolved.json().path("note").asText()).as("kept from the acknowledge").isEqualTo("on it");
        Reply again = postJson("/api/v1/alerts/" + id + "/resolve", "{}");
        assertError(again, 409, "conflict");
        assertThat(again.json().path("message").asText()).contains("alert " + id + " is resolved");
        assertThat(get("/api/v1/alerts?state=resolved").json()).hasSize(1);

        assertError(get("/api/v1/alerts/999"), 404, "not_found");
        assertError(postJson("/api/v1/alerts/999/resolve", ""), 404, "not_found");
        assertError(postJson("/api/v1/alerts/abc/resolve", ""), 400, "bad_parameter");
        assertError(postJson("/api/v1/alerts/" + id + "/resolve", "{\"note\":3}"), 400, "bad_parameter");
        assertError(postJson("/api/v1/alerts/" + id + "/resolve", "{\"colour\":\"red\"}"), 400, "bad_parameter");
        assertError(postJson("/api/v1/alerts/" + id + "/resolve", "[1]"), 400, "malformed");
        assertError(postJson("/api/v1/alerts/" + id + "/resolve", "{\"note\":\"" + "n".repeat(501) + "\"}"), 400,
                "bad_parameter");
    }

    @Test
    void labelsArePutWholeReadBackAndShownInTheDeviceView() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)));
        Reply put = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/dev-1/labels"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"site\":\"north\",\"floor\":\"2\"}")));
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().toString()).isEqualTo("{\"floor\":\"2\",\"site\":\"north\"}");
        assertThat(get("/api/v1/devices/dev-1/labels").json().toString()).isEqualTo("{\"floor\":\"2\",\"site\":\"north\"}");
        assertThat(get("/api/v1/devices/dev-1").json().path("labels").path("site").asText()).isEqualTo("north");
        assertThat(get("/api/v1/devices").json().get(0).path("labels").path("floor").asText()).isEqualTo("2");
        assertThat(store.labels("dev-1")).containsEntry("site", "north");

        assertError(putLabels("dev-1", "{\"site\":3}"), 400, "bad_labels");
        assertError(putLabels("dev-1", "{\"-site\":\"x\"}"), 400, "bad_labels");
        assertError(putLabels("dev-1", "{\"site\":\"" + "x".repeat(129) + "\"}"), 400, "bad_labels");
        assertError(putLabels("bad id", "{}"), 400, "invalid_device");
        assertError(putLabels("dev-1", "[]"), 400, "malformed");
        assertThat(get("/api/v1/devices/dev-1/labels").json().size()).as("refusals changed nothing").isEqualTo(2);
        assertThat(putLabels("dev-1", "{}").status()).isEqualTo(200);
        assertThat(get("/api/v1/devices/dev-1/labels").json()).isEmpty();
        assertThat(get("/api/v1/devices/dev-9/labels").json()).as("no labels yet").isEmpty();
    }

    private Reply putLabels(String device, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/v1/devices/" + device.replace(" ", "%20") + "/labels"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    @Test
    void deviceEventsAreListedNewestFirstAndFiltered() throws Exception {
        for (int i = 1; i <= 3; i++) {
            String label = i == 2 ? "spike" : "normal";
            dev.fieldline.protocol.Event e = new dev.fieldline.protocol.Event("dev-1", new dev.fieldline.protocol.Sequence(1, i),
                    T0.plusSeconds(i), "inference", i == 2 ? dev.fieldline.protocol.Severity.WARNING : dev.fieldline.protocol.Severity.INFO,
                    "sensor-anomaly", label + " (confidence 0.97)", Map.of("label", new dev.fieldline.protocol.Value.Text(label),
                            "confidence", new dev.fieldline.protocol.Value.Num(0.97)));
            store.append(new dev.fieldline.gateway.ingest.Decoded.EventMessage(e, dev.fieldline.gateway.ingest.Transport.MQTT, T0))
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        store.append(new dev.fieldline.gateway.ingest.Decoded.EventMessage(new dev.fieldline.protocol.Event("dev-2",
                new dev.fieldline.protocol.Sequence(1, 1), T0, "notice", dev.fieldline.protocol.Severity.INFO, "boot", "", Map.of()),
                dev.fieldline.gateway.ingest.Transport.COAP, T0)).get(5, java.util.concurrent.TimeUnit.SECONDS);

        JsonNode all = get("/api/v1/events").json();
        assertThat(all).hasSize(4);
        JsonNode inference = get("/api/v1/events?device=dev-1&type=inference&name=sensor-anomaly&limit=2").json();
        assertThat(inference).hasSize(2);
        assertThat(inference.get(0).path("seq").asLong()).isEqualTo(3);
        assertThat(inference.get(1).path("severity").asText()).isEqualTo("warning");
        assertThat(inference.get(1).path("attributes").path("label").asText()).isEqualTo("spike");
        assertThat(inference.get(1).path("attributes").path("confidence").asDouble()).isEqualTo(0.97);
        assertThat(inference.get(1).path("message").asText()).isEqualTo("spike (confidence 0.97)");
        assertThat(get("/api/v1/events?type=notice").json()).hasSize(1);
        assertError(get("/api/v1/events?limit=0"), 400, "bad_parameter");
    }

    // ------------------------------------------------------------------ operations and errors

    @Test
    void healthAndMetrics() throws Exception {
        post("/api/v1/data?device=dev-1", "application/senml+json", pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)));

        Reply health = get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("ok");
        assertThat(health.json().path("store").path("ok").asBoolean()).isTrue();
        assertThat(health.json().path("listeners").path("http").asText()).isEqualTo(base.substring("http://".length()));

        Reply m = get("/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.body()).contains("# TYPE ingest_stored_total counter", "ingest_stored_total{transport=\"http\"} 1");
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        assertError(get("/nope"), 404, "not_found");
        assertError(get("/api/v1/devices/dev-1/nothing"), 404, "not_found");
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/data")).DELETE()), 405, "method_not_allowed");
        assertError(send(HttpRequest.newBuilder(URI.create(base + "/health")).POST(HttpRequest.BodyPublishers.noBody())),
                405, "method_not_allowed");
    }

    @Test
    void aClosedStoreMakesDataPosts503WithRetryAfter() throws Exception {
        store.close();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/data?device=dev-1"))
                .header("Content-Type", "application/senml+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(pack("dev-1", 1, PayloadFormat.JSON, temp(20, 0)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("unavailable");
        assertThat(get("/health").status()).isEqualTo(503);
    }
}
