package dev.fieldline.agent.models;

import dev.fieldline.protocol.model.ModelOffer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Fetches over HTTP from the offer's {@code url} ({@code {url}/manifest}, {@code {url}/file}): what
 * MQTT devices use. With the device's token it authenticates as the device (HTTP Basic, device id
 * and token, as its MQTT login).
 */
public final class HttpModelFetcher implements ModelFetcher {
    private final HttpClient http;
    private final Duration timeout;
    private final Optional<String> authorization;

    /** @param login device id and token, when the device enrolled */
    public HttpModelFetcher(Duration timeout, Optional<String[]> login) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.timeout = timeout;
        this.authorization = login.map(l -> "Basic " + Base64.getEncoder().encodeToString((l[0] + ":" + l[1])
                .getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public byte[] fetch(ModelOffer offer, boolean manifest, int maxBytes) throws IOException, InterruptedException {
        String base = offer.url().orElseThrow(() -> new IOException("the offer has no url, and this device fetches models over HTTP"
                + " (its uplink is MQTT)"));
        URI uri = URI.create(base + (manifest ? "/manifest" : "/file"));
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IOException("the offer's url is not http(s): " + base);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        authorization.ifPresent(a -> b.header("Authorization", a));
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                byte[] text = in.readNBytes(300);
                throw new IOException("GET " + uri + ": HTTP " + r.statusCode() + " " + new String(text, StandardCharsets.UTF_8));
            }
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                throw new IOException("GET " + uri + ": more than the " + maxBytes + " bytes expected");
            }
            return body;
        }
    }

    @Override
    public String describe() {
        return "http";
    }
}
