package dev.fieldline.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.gateway.Gateway;
import dev.fieldline.gateway.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A whole gateway on free loopback ports with its own data directory, and a small API client. */
final class GatewayFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private GatewayFixture(Gateway gateway) {
        this.gateway = gateway;
    }

    static GatewayFixture start(Path dataDir) {
        return start(dataDir, UnaryOperator.identity());
    }

    static GatewayFixture start(Path dataDir, UnaryOperator<GatewayConfig> customise) {
        GatewayConfig config = GatewayConfig.defaults(dataDir)
                .withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(0).withCoapPort(0)
                .withCoapsPort(-1).withMqttsPort(-1);
        return new GatewayFixture(Gateway.start(customise.apply(config)));
    }

    Gateway gateway() {
        return gateway;
    }

    int mqttPort() {
        return gateway.mqttAddress().orElseThrow().getPort();
    }

    int coapPort() {
        return gateway.coapAddress().orElseThrow().getPort();
    }

    String mqttUrl() {
        return "tcp://127.0.0.1:" + mqttPort();
    }

    String coapUrl() {
        return "coap://127.0.0.1:" + coapPort();
    }

    URI api(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.httpAddress().getPort() + pathAndQuery);
    }

    /** GET a JSON document from the API, failing on a non-2xx status. */
    JsonNode get(String pathAndQuery) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(api(pathAndQuery)).GET().build());
        if (r.statusCode() / 100 != 2) {
            throw new AssertionError("GET " + pathAndQuery + " -> " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    HttpResponse<String> post(String path, String contentType, byte[] body) {
        return send(HttpRequest.newBuilder(api(path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    /** Number of stored readings of a device (asks the API for up to 10,000). */
    int readingCount(String deviceId) {
        return get("/api/v1/data?device=" + deviceId + "&limit=10000").size();
    }

    @Override
    public void close() {
        gateway.close();
    }
}
