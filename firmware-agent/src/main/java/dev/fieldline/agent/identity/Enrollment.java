package dev.fieldline.agent.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.fieldline.agent.identity.IdentityException.Problem;
import dev.fieldline.protocol.DeviceIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrolls the device at the gateway's web API: {@code POST {gateway}/api/v1/enroll} with
 * {@code {device, token, publicKey}} (the one-time token an operator issued, the SPKI base64), and
 * stores the credentials it answers in {@code {dataDir}/identity/credentials.json} and, when the
 * gateway answers them, its certificates and DTLS key beside it ({@link GatewayTrust}). Neither token
 * is ever logged.
 */
public final class Enrollment {
    private static final Logger log = LoggerFactory.getLogger(Enrollment.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_DIAGNOSTIC = 200;

    private final URI gateway;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param gateway the gateway's web API base, e.g. {@code http://gateway:8080}
     * @param timeout connect and request timeout
     */
    public Enrollment(URI gateway, Duration timeout) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
        if (!"http".equals(gateway.getScheme()) && !"https".equals(gateway.getScheme())) {
            throw new IllegalArgumentException("gateway must be an http:// or https:// URI, was " + gateway);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * The stored credentials if they belong to this identity's key; otherwise enrolls with
     * {@code oneTimeToken} (required then) and stores the result.
     */
    public DeviceCredentials ensureEnrolled(Path dataDir, String deviceId, DeviceIdentity identity, Optional<String> oneTimeToken) {
        Optional<DeviceCredentials> stored = DeviceCredentials.load(dataDir);
        if (stored.isPresent() && stored.get().deviceId().equals(deviceId) && stored.get().kid().equals(identity.kidHex())) {
            return stored.get();
        }
        String token = oneTimeToken.orElseThrow(() -> new IdentityException(Problem.ENROLLMENT_REFUSED, "device " + deviceId
                + " is not enrolled" + (stored.isPresent() ? " with its current key" : "")
                + ": an enrollment token is required (issue one with POST /api/v1/enrollment-tokens)"));
        Enrolled e = enrollFully(deviceId, token, identity);
        e.credentials().save(dataDir);
        if (e.trust().isPresent()) {
            e.trust().get().save(dataDir);
        } else {
            GatewayTrust.forget(dataDir);
        }
        return e.credentials();
    }

    /** Enrolls and returns the credentials (without storing them). */
    public DeviceCredentials enroll(String deviceId, String oneTimeToken, DeviceIdentity identity) {
        return enrollFully(deviceId, oneTimeToken, identity).credentials();
    }

    /** The enrollment answer: the credentials, and the certificates if the gateway sent them. */
    private record Enrolled(DeviceCredentials credentials, Optional<GatewayTrust> trust) {
    }

    private Enrolled enrollFully(String deviceId, String oneTimeToken, DeviceIdentity identity) {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("deviceId is not a valid device id");
        }
        if (oneTimeToken == null || oneTimeToken.isBlank()) {
            throw new IllegalArgumentException("oneTimeToken must not be blank");
        }
        URI uri = gateway.resolve("/api/v1/enroll");
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(deviceId, oneTimeToken, identity)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IdentityException(Problem.ENROLLMENT_FAILED, "cannot reach " + uri + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IdentityException(Problem.ENROLLMENT_FAILED, "interrupted enrolling at " + uri, e);
        }
        Map<String, String> answer;
        try {
            answer = DeviceCredentials.parse(response.body());
        } catch (IOException | IllegalArgumentException e) {
            throw new IdentityException(Problem.ENROLLMENT_FAILED, uri + " answered " + response.statusCode()
                    + " without a JSON object", e);
        }
        if (response.statusCode() != 201) {
            String retry = response.headers().firstValue("Retry-After").map(s -> " (retry after " + s + " s)").orElse("");
            throw new IdentityException(Problem.ENROLLMENT_REFUSED, "the gateway refused the enrollment: "
                    + response.statusCode() + " " + clip(answer.getOrDefault("error", "?")) + ": "
                    + clip(answer.getOrDefault("message", "")) + retry);
        }
        DeviceCredentials c;
        try {
            c = new DeviceCredentials(answer.get("device"), answer.get("kid"), answer.get("token"));
        } catch (IllegalArgumentException e) {
            throw new IdentityException(Problem.ENROLLMENT_FAILED, "the gateway's enrollment answer is incomplete: " + e.getMessage());
        }
        if (!c.deviceId().equals(deviceId) || !c.kid().equals(identity.kidHex())) {
            throw new IdentityException(Problem.ENROLLMENT_FAILED, "the gateway registered device " + c.deviceId() + " kid "
                    + c.kid() + ", expected " + deviceId + " kid " + identity.kidHex());
        }
        Optional<GatewayTrust> trust = Optional.empty();
        if (answer.containsKey("certificate")) {
            try {
                trust = Optional.of(GatewayTrust.fromEnrollment(answer.get("certificate"), answer.get("caCertificate"),
                        Base64.getDecoder().decode(answer.getOrDefault("gatewayPublicKey", "")), deviceId, identity.publicKey()));
            } catch (IllegalArgumentException e) {
                throw new IdentityException(Problem.ENROLLMENT_FAILED, "the gateway's enrollment answer has unusable"
                        + " certificates: " + e.getMessage(), e);
            }
        }
        log.info("device {} enrolled at {} (kid {}{})", deviceId, gateway, c.kid(),
                trust.isPresent() ? ", with a client certificate" : ", no certificates");
        return new Enrolled(c, trust);
    }

    private static byte[] body(String deviceId, String token, DeviceIdentity identity) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("device", deviceId);
            g.writeStringField("token", token);
            g.writeStringField("publicKey", Base64.getEncoder().encodeToString(identity.subjectPublicKeyInfo()));
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot render the enrollment request", e);
        }
        return out.toByteArray();
    }

    private static String clip(String s) {
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= MAX_DIAGNOSTIC ? printable : printable.substring(0, MAX_DIAGNOSTIC);
    }
}
