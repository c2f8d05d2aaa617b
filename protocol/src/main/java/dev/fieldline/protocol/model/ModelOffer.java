package dev.fieldline.protocol.model;

import dev.fieldline.protocol.Value;
import dev.fieldline.protocol.model.ModelDeliveryException.Reason;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The gateway's offer of a model version to a device: the arguments of a {@link #COMMAND} command.
 * The device fetches the signed manifest and the file from the gateway (CoAP
 * {@code /v1/models/{name}/{version}} and {@code .../manifest}, or HTTP under {@code url}), checks
 * them, and answers with the command's result and a {@code model} event.
 *
 * @param name the model's name
 * @param version its version
 * @param sha256 the file's SHA-256 (lower-case hex), as in the signed manifest
 * @param bytes the file's size
 * @param url where an HTTP client finds the version ({@code {url}/manifest} and {@code {url}/file}), if the gateway serves HTTP
 */
public record ModelOffer(String name, long version, String sha256, long bytes, Optional<String> url) {
    /** The command's name. */
    public static final String COMMAND = "model";
    /** Type of the event a device reports an outcome with. */
    public static final String EVENT = "model";

    public ModelOffer {
        ModelRelease.requireName(name, "name");
        if (version < 1 || version > (1L << 53)) {
            throw new IllegalArgumentException("version must be 1..2^53, was " + version);
        }
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, was " + sha256);
        }
        if (bytes < 1 || bytes > ModelRelease.MAX_FILE_BYTES) {
            throw new IllegalArgumentException("bytes must be 1.." + ModelRelease.MAX_FILE_BYTES + ", was " + bytes);
        }
        if (url == null || url.filter(u -> u.length() > 1024).isPresent()) {
            throw new IllegalArgumentException("url must be present or empty, at most 1024 characters");
        }
    }

    /** The CoAP path of the file: {@code v1/models/{name}/{version}}. */
    public String coapPath() {
        return "v1/models/" + name + "/" + version;
    }

    /** The command's arguments. */
    public Map<String, Value> toArgs() {
        Map<String, Value> args = new LinkedHashMap<>();
        args.put("name", new Value.Text(name));
        args.put("version", new Value.Num(version));
        args.put("sha256", new Value.Text(sha256));
        args.put("bytes", new Value.Num(bytes));
        url.ifPresent(u -> args.put("url", new Value.Text(u)));
        return args;
    }

    /** Reads a command's arguments. @throws ModelDeliveryException {@code malformed} naming what is wrong */
    public static ModelOffer fromArgs(Map<String, Value> args) {
        for (String k : args.keySet()) {
            if (!k.equals("name") && !k.equals("version") && !k.equals("sha256") && !k.equals("bytes") && !k.equals("url")) {
                throw new ModelDeliveryException(Reason.MALFORMED, "unknown model offer argument '" + k + "'");
            }
        }
        if (!(args.get("name") instanceof Value.Text name) || !(args.get("version") instanceof Value.Num version)
                || !(args.get("sha256") instanceof Value.Text sha) || !(args.get("bytes") instanceof Value.Num bytes)) {
            throw new ModelDeliveryException(Reason.MALFORMED,
                    "a model offer needs name (text), version (number), sha256 (text) and bytes (number)");
        }
        Value url = args.get("url");
        if (url != null && !(url instanceof Value.Text)) {
            throw new ModelDeliveryException(Reason.MALFORMED, "url must be text");
        }
        if (version.value() != Math.rint(version.value()) || bytes.value() != Math.rint(bytes.value())) {
            throw new ModelDeliveryException(Reason.MALFORMED, "version and bytes must be integers");
        }
        try {
            return new ModelOffer(name.value(), (long) version.value(), sha.value(), (long) bytes.value(),
                    Optional.ofNullable(url).map(u -> ((Value.Text) u).value()));
        } catch (IllegalArgumentException e) {
            throw new ModelDeliveryException(Reason.MALFORMED, "bad model offer: " + e.getMessage(), e);
        }
    }
}
