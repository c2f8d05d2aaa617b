package dev.fieldline.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.registry.AdminBootstrap;
import dev.fieldline.gateway.registry.Role;
import dev.fieldline.gateway.registry.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real gateway in secure and plain mode: web API roles, enrollment, MQTT and CoAP refusals. */
@Tag("loopback")
class SecureGatewayTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SENML = "[{\"bn\":\"urn:dev:fl:dev-1:\",\"n\":\"temp\",\"u\":\"Cel\",\"v\":21.5}]";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private Gateway gateway;
    private String base;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private void start(boolean secure) {
        gateway = Gateway.start(GatewayConfig.defaults(dir).withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0)
                .withCoapPort(0).withCoapsPort(-1).withMqttsPort(-1).withSecure(secure));
        base = "http://127.0.0.1:" + gateway.httpAddress().getPort();
    }

    private record Reply(int status, String body, Optional<String> retryAfter) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private Reply call(String method, String path, Optional<String> token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", path.startsWith("/api/v1/data") ? "application/senml+json" : "application/json");
        }
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Retry-After"));
    }

    private String adminToken() throws Exception {
        return Files.readString(dir.resolve(AdminBootstrap.FILE_NAME)).strip();
    }

    private String token(Role role) {
        return gateway.registry().createApiToken(role.code() + "-test", role).token();
    }

    /** Enrolls dev-1 over the API; returns the device token. */
    private String enroll(String device) throws Exception {
        Reply issued = call("POST", "/api/v1/enrollment-tokens", Optional.of(adminToken()), "{\"device\":\"" + device + "\"}");
        assertThat(issued.status()).isEqualTo(201);
        String publicKey = Base64.getEncoder().encodeToString(TestKeys.p256().getPublic().getEncoded());
        Reply enrolled = call("POST", "/api/v1/enroll", Optional.empty(), "{\"device\":\"" + device + "\",\"token\":\""
                + issued.json().get("token").asText() + "\",\"publicKey\":\"" + publicKey + "\"}");
        assertThat(enrolled.status()).as(enrolled.body()).isEqualTo(201);
        return enrolled.json().get("token").asText();
    }

    // ------------------------------------------------------------------ web API

    @Test
    void secureModeBootstrapsAnOwnerOnlyAdminTokenAndRefusesAnonymousRequests() throws Exception {
        start(true);
        Path file = dir.resolve(AdminBootstrap.FILE_NAME);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

        assertThat(call("GET", "/health", Optional.empty(), null).status()).isEqualTo(200);
        for (String path : List.of("/api/v1/devices", "/api/v1/data", "/api/v1/status", "/api/v1/alerts", "/metrics",
                "/api/v1/tokens")) {
            assertThat(call("GET", path, Optional.empty(), null).status()).as(path).isEqualTo(401);
        }
        assertThat(call("POST", "/api/v1/data", Optional.empty(), SENML).status()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/devices", Optional.of(adminToken()), null).status()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/devices", Optional.of("not-a-token"), null).status()).isEqualTo(401);
    }

    @Test
    void eachRoleGetsWhatItIncludesAndNoMore() throws Exception {
        start(true);
        String viewer = token(Role.VIEWER);
        String operator = token(Role.OPERATOR);
        String admin = adminToken();

        assertThat(call("GET", "/api/v1/devices", Optional.of(viewer), null).status()).isEqualTo(200);
        assertThat(call("GET", "/metrics", Optional.of(viewer), null).status()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/data", Optional.of(viewer), SENML).status()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/devices/dev-1/commands", Optional.of(viewer), "{\"name\":\"led\"}").status())
                .isEqualTo(403);

        // the operator may post data, but in secure mode telemetry must be signed by the device key
        Reply unsigned = call("POST", "/api/v1/data", Optional.of(operator), SENML);
        assertThat(unsigned.status()).isEqualTo(400);
        assertThat(unsigned.json().get("error").asText()).isEqualTo("unsigned");
        assertThat(call("POST", "/api/v1/status", Optional.of(operator), "{\"device\":\"dev-1\",\"state\":\"online\"}").status())
                .isBetween(200, 299);
        assertThat(call("POST", "/api/v1/devices/dev-1/commands", Optional.of(operator), "{\"name\":\"led\"}").status())
                .isEqualTo(202);
        for (String path : List.of("/api/v1/enrollment-tokens", "/api/v1/devices/dev-1/disable", "/api/v1/devices/dev-1/enable",
                "/api/v1/devices/dev-1/rekey", "/api/v1/tokens")) {
            assertThat(call("POST", path, Optional.of(operator), "{}").status()).as(path).isEqualTo(403);
            assertThat(call("POST", path, Optional.empty(), "{}").status()).as(path).isEqualTo(401);
        }
        assertThat(call("GET", "/api/v1/tokens", Optional.of(operator), null).status()).isEqualTo(403);
        assertThat(call("DELETE", "/api/v1/tokens/1", Optional.of(operator), null).status()).isEqualTo(403);

        Reply created = call("POST", "/api/v1/tokens", Optional.of(admin), "{\"name\":\"dash\",\"role\":\"viewer\"}");
        assertThat(created.status()).isEqualTo(201);
        String value = created.json().get("token").asText();
        Reply listed = call("GET", "/api/v1/tokens", Optional.of(admin), null);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.body()).contains("\"dash\"").doesNotContain(value).doesNotContain(admin).doesNotContain(viewer);
        assertThat(call("GET", "/api/v1/devices", Optional.of(value), null).status()).isEqualTo(200);
        assertThat(call("DELETE", "/api/v1/tokens/" + created.json().get("id").asLong(), Optional.of(admin), null).status())
                .isEqualTo(204);
        assertThat(call("GET", "/api/v1/devices", Optional.of(value), null).status()).as("revoked at once").isEqualTo(401);
        assertThat(call("POST", "/api/v1/tokens", Optional.of(admin), "{\"name\":\"x\",\"role\":\"root\"}").status())
                .isEqualTo(400);
    }

    @Test
    void enrollmentTokensAreOneTimeAndDevicesShowTheirKeyState() throws Exception {
        start(true);
        String admin = adminToken();
        Reply issued = call("POST", "/api/v1/enrollment-tokens", Optional.of(admin), "{\"ttl\":\"PT1H\"}");
        assertThat(issued.status()).isEqualTo(201);
        String once = issued.json().get("token").asText();
        String key = Base64.getEncoder().encodeToString(TestKeys.p256().getPublic().getEncoded());
        String body = "{\"device\":\"dev-7\",\"token\":\"" + once + "\",\"publicKey\":\"" + key + "\"}";

        Reply enrolled = call("POST", "/api/v1/enroll", Optional.empty(), body);
        assertThat(enrolled.status()).isEqualTo(201);
        assertThat(enrolled.json().get("kid").asText()).hasSize(32);
        Reply again = call("POST", "/api/v1/enroll", Optional.empty(), body);
        assertThat(again.status()).isEqualTo(401);
        assertThat(again.json().get("error").asText()).isEqualTo("token_used");

        JsonNode devices = call("GET", "/api/v1/devices", Optional.of(admin), null).json();
        assertThat(devices).singleElement().satisfies(d -> {
            assertThat(d.get("id").asText()).isEqualTo("dev-7");
            assertThat(d.get("key").get("state").asText()).isEqualTo("enabled");
            assertThat(d.get("key").get("kid").asText()).isEqualTo(enrolled.json().get("kid").asText());
        });
        assertThat(call("POST", "/api/v1/devices/dev-7/disable", Optional.of(admin), null).json().get("state").asText())
                .isEqualTo("disabled");
        Reply rekey = call("POST", "/api/v1/devices/dev-7/rekey", Optional.of(admin), null);
        assertThat(rekey.status()).isEqualTo(201);
        assertThat(rekey.json().get("device").asText()).isEqualTo("dev-7");
    }

    @Test
    void failedAuthenticationsAreRateLimitedPerClient() throws Exception {
        start(true);
        Reply last = null;
        for (int i = 0; i < 11; i++) {
            last = call("GET", "/api/v1/devices", Optional.of("wrong-" + i), null);
        }
        assertThat(last.status()).isEqualTo(429);
        assertThat(last.retryAfter()).hasValueSatisfying(s -> assertThat(Long.parseLong(s)).isPositive());
        assertThat(gateway.metrics().get("http_rate_limited_total", "endpoint", "auth")).isPositive();
        assertThat(gateway.metrics().get("http_auth_failed_total", "reason", "invalid_token")).isEqualTo(10);
    }

    @Test
    void enrollmentIsRateLimitedPerClient() throws Exception {
        start(true);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            statuses.add(call("POST", "/api/v1/enroll", Optional.empty(),
                    "{\"device\":\"d\",\"token\":\"guess-" + i + "\",\"publicKey\":\"AAAA\"}").status());
        }
        assertThat(statuses.subList(0, 10)).allMatch(s -> s == 400 || s == 401);
        assertThat(statuses.get(10)).isEqualTo(429);
    }

    @Test
    void plainModeKeepsAnonymousReadsAndWritesButAdminNeedsAToken() throws Exception {
        start(false);
        assertThat(Files.exists(dir.resolve(AdminBootstrap.FILE_NAME))).as("no bootstrap file in plain mode").isFalse();
        assertThat(call("POST", "/api/v1/data", Optional.empty(), SENML).status()).isEqualTo(201);
        assertThat(call("GET", "/api/v1/devices", Optional.empty(), null).status()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/enrollment-tokens", Optional.empty(), null).status()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/devices/dev-1/disable", Optional.of(token(Role.ADMIN)), null).status()).isEqualTo(200);
        Reply refused = call("POST", "/api/v1/data", Optional.empty(), SENML);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.json().get("error").asText()).isEqualTo("disabled");
    }

    // ------------------------------------------------------------------ MQTT

    private String mqttUrl() {
        return "tcp://127.0.0.1:" + gateway.mqttAddress().orElseThrow().getPort();
    }

    private MqttAsyncClient v5(String clientId) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient(mqttUrl(), clientId, new MemoryPersistence());
        closeables.add(() -> {
            if (c.isConnected()) {
                c.disconnectForcibly(0, 1000, false);
            }
            c.close(true);
        });
        return c;
    }

    private static MqttConnectionOptions login(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setUserName(user);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        return o;
    }

    private int v3Refusal(String clientId, String password) throws Exception {
        var c = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(mqttUrl(), clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        closeables.add(() -> c.close(true));
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setUserName(clientId);
        o.setPassword(password.toCharArray());
        try {
            c.connect(o).waitForCompletion(5000);
            c.disconnect().waitForCompletion(5000);
            return 0;
        } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
            return e.getReasonCode();
        }
    }

    @Test
    void secureMqttNeedsTheDeviceTokenAndADisabledDeviceIsCutOffAtOnce() throws Exception {
        start(true);
        String deviceToken = enroll("dev-1");

        MqttAsyncClient wrong = v5("dev-1");
        assertThatThrownBy(() -> wrong.connect(login("dev-1", "wrong")).waitForCompletion(5000))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThat(v3Refusal("dev-1", "wrong")).isEqualTo(4);
        assertThat(v3Refusal("ghost", "wrong")).as("unknown device: same answer as a wrong token").isEqualTo(4);
        assertThat(gateway.metrics().get("mqtt_connect_refused_total", "reason", "bad_credentials")).isEqualTo(2);
        assertThat(gateway.metrics().get("mqtt_connect_refused_total", "reason", "unknown_device")).isEqualTo(1);

        MqttAsyncClient good = v5("dev-1");
        good.connect(login("dev-1", deviceToken)).waitForCompletion(5000);
        assertThat(good.isConnected()).isTrue();

        assertThat(call("POST", "/api/v1/devices/dev-1/disable", Optional.of(adminToken()), null).status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> !good.isConnected());
        assertThat(gateway.metrics().get("mqtt_disconnects_total", "reason", "revoked")).isEqualTo(1);

        MqttAsyncClient again = v5("dev-1");
        assertThatThrownBy(() -> again.connect(login("dev-1", deviceToken)).waitForCompletion(5000))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(v3Refusal("dev-1", deviceToken)).isEqualTo(5);
        assertThat(gateway.metrics().get("mqtt_connect_refused_total", "reason", "disabled")).isEqualTo(2);

        assertThat(call("POST", "/api/v1/devices/dev-1/enable", Optional.of(adminToken()), null).status()).isEqualTo(200);
        MqttAsyncClient back = v5("dev-1");
        back.connect(login("dev-1", deviceToken)).waitForCompletion(5000);
        assertThat(back.isConnected()).isTrue();
    }

    @Test
    void aRekeyedDeviceLosesItsOldTokenOnceTheNewKeyIsEnrolled() throws Exception {
        start(true);
        String oldToken = enroll("dev-1");
        MqttAsyncClient live = v5("dev-1");
        live.connect(login("dev-1", oldToken)).waitForCompletion(5000);

        String rekeyToken = call("POST", "/api/v1/devices/dev-1/rekey", Optional.of(adminToken()), null).json().get("token").asText();
        String key = Base64.getEncoder().encodeToString(TestKeys.p256().getPublic().getEncoded());
        Reply enrolled = call("POST", "/api/v1/enroll", Optional.empty(),
                "{\"device\":\"dev-1\",\"token\":\"" + rekeyToken + "\",\"publicKey\":\"" + key + "\"}");
        assertThat(enrolled.status()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(5)).until(() -> !live.isConnected());
        assertThat(v3Refusal("dev-1", oldToken)).isEqualTo(4);
        assertThat(v3Refusal("dev-1", enrolled.json().get("token").asText())).isZero();
    }

    // ------------------------------------------------------------------ CoAP

    private CoapResponse coapPost(String device) throws Exception {
        CoapClient c = new CoapClient("coap://127.0.0.1:" + gateway.coapAddress().orElseThrow().getPort() + "/v1/d/" + device
                + "/telemetry");
        closeables.add(c::shutdown);
        c.setTimeout(5000L);
        return c.post(SENML.replace("dev-1", device), MediaTypeRegistry.APPLICATION_SENML_JSON);
    }

    @Test
    void secureModeRefusesPlainCoapUplinks() throws Exception {
        start(true);
        CoapResponse r = coapPost("dev-1");
        assertThat(r.getCode()).isEqualTo(CoAP.ResponseCode.UNAUTHORIZED);
        assertThat(gateway.metrics().get("coap_uplink_refused_total", "reason", "unauthenticated")).isEqualTo(1);
    }

    @Test
    void plainModeRefusesADisabledDeviceOnCoapAndMqtt() throws Exception {
        start(false);
        assertThat(coapPost("dev-2").getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
        MqttAsyncClient live = v5("dev-2");
        live.connect(new MqttConnectionOptions()).waitForCompletion(5000);

        gateway.registry().disable("dev-2");

        assertThat(coapPost("dev-2").getCode()).isEqualTo(CoAP.ResponseCode.FORBIDDEN);
        await().atMost(Duration.ofSeconds(5)).until(() -> !live.isConnected());
        MqttAsyncClient again = v5("dev-2");
        assertThatThrownBy(() -> again.connect(new MqttConnectionOptions()).waitForCompletion(5000))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(coapPost("dev-3").getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
    }
}
