package dev.fieldline.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * The models that ship inside the model-artifacts jar (from {@code model-artifacts/models/}, on the
 * class path under {@code /models/}): each {@code NAME.tflite} with the manifest of its family
 * ({@code sensor-anomaly-int8} and {@code sensor-anomaly-float} share {@code sensor-anomaly.manifest.json}).
 */
public final class StockModels {

    /** The bundled models. */
    public static final List<String> NAMES = List.of("sensor-anomaly-int8", "sensor-anomaly-float");

    private StockModels() {
    }

    /** The model's bytes, if it is bundled. */
    public static Optional<byte[]> bytes(String name) {
        return resource("/models/" + name + ".tflite");
    }

    /** The manifest of the model's family, if there is one. */
    public static Optional<ModelManifest> manifest(String name) {
        return resource("/models/" + family(name) + ".manifest.json").map(ModelManifest::parse);
    }

    /** The file name of a stock model, as its manifest lists it. */
    public static String fileName(String name) {
        return name + ".tflite";
    }

    /** {@code sensor-anomaly-int8} → {@code sensor-anomaly}. */
    static String family(String name) {
        for (String suffix : List.of("-int8", "-float")) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    private static Optional<byte[]> resource(String path) {
        try (InputStream in = StockModels.class.getResourceAsStream(path)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + " from the class path", e);
        }
    }
}
