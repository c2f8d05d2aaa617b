package dev.fieldline.agent.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.fieldline.agent.identity.IdentityException.Problem;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.DevicePsk;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What enrollment gave the device, kept in {@code {dataDir}/identity/credentials.json} (0600): its
 * device id, the key id the gateway registered, and the device token. MQTT: user name = device id,
 * password = token. DTLS: PSK identity = device id, PSK = {@link #dtlsPsk()}. {@link #toString()}
 * hides the token.
 */
public record DeviceCredentials(String deviceId, String kid, String token) {
    public static final String FILE = "credentials.json";
    private static final JsonFactory JSON = new JsonFactory();

    public DeviceCredentials {
        if (!DeviceIds.isValid(deviceId)) {
            throw new IllegalArgumentException("deviceId is not a valid device id");
        }
        if (kid == null || !kid.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("kid must be 32 lower-case hex digits");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
    }

    /** The MQTT password: the token's UTF-8 bytes. */
    public byte[] mqttPassword() {
        return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The DTLS pre-shared key derived from the token ({@link DevicePsk}). */
    public byte[] dtlsPsk() {
        return DevicePsk.derive(token);
    }

    /** The credentials stored under {@code {dataDir}/identity}, if the device has enrolled. */
    public static Optional<DeviceCredentials> load(Path dataDir) {
        Path file = dataDir.resolve(DeviceIdentity.DIRECTORY).resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            if (PrivateFiles.exposed(file)) {
                throw new IdentityException(Problem.KEY_FILE_EXPOSED, file + " is accessible to group or others; it holds"
                        + " the device token: chmod 600 it and consider re-keying the device");
            }
            Map<String, String> m = parse(Files.readAllBytes(file));
            return Optional.of(new DeviceCredentials(m.get("deviceId"), m.get("kid"), m.get("token")));
        } catch (IOException e) {
            throw new IdentityException(Problem.STORAGE, "cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IdentityException(Problem.CORRUPT, file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /** Writes the credentials to {@code {dataDir}/identity/credentials.json}, 0600 from creation. */
    public void save(Path dataDir) {
        Path dir = dataDir.resolve(DeviceIdentity.DIRECTORY);
        try {
            PrivateFiles.directory(dir);
            PrivateFiles.write(dir.resolve(FILE), toJson(), PrivateFiles.OWNER_FILE);
        } catch (IOException e) {
            throw new IdentityException(Problem.STORAGE, "cannot write " + dir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    private byte[] toJson() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("deviceId", deviceId);
            g.writeStringField("kid", kid);
            g.writeStringField("token", token);
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /** A flat JSON object of text fields (what credentials.json and the enrollment answer are). */
    static Map<String, String> parse(byte[] json) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_STRING) {
                    m.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("not well-formed JSON", e);
        }
        return m;
    }

    @Override
    public String toString() {
        return "DeviceCredentials[deviceId=" + deviceId + ", kid=" + kid + ", token=(hidden)]";
    }
}
