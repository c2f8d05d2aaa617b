package dev.fieldline.gateway.models;

import dev.fieldline.protocol.Value;
import java.time.Instant;
import java.util.Map;

/**
 * A model version the gateway published.
 *
 * @param name the model's name
 * @param version its version (1, 2, ... per name)
 * @param variant {@code float32} or {@code int8}
 * @param sha256 the {@code .tflite} file's SHA-256
 * @param bytes the file's size
 * @param created when it was published
 * @param source the manifest's source entries (round, metrics, ...)
 */
public record ModelVersion(String name, long version, String variant, String sha256, long bytes, Instant created,
        Map<String, Value> source) {
    public ModelVersion {
        source = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(source));
    }
}
