package dev.fieldline.boards;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A model the agent's inference stage runs, as the board profile's {@code models:} section
 * declares it. What the profile leaves out (window length, normalisation, labels) comes from the
 * model's manifest when it has one; the agent refuses to start when neither says.
 *
 * @param name the model's name on this board; also the name of its inference events
 * @param source where the model file comes from
 * @param manifest the model's manifest (a stock model brings its own)
 * @param engine inference engine: {@code micro} (default), {@code tflite}, {@code tflite-javacpp}
 * @param input what the model looks at
 * @param normalisation how raw values become model inputs, if the profile says
 * @param labels class names by output index; empty means the manifest's
 * @param threshold confidence (0..1) at or above which a result counts as confident
 * @param severities event severity per label ({@code info}, {@code warning}, {@code critical}); others are info
 */
public record ModelSpec(
        String name,
        Source source,
        Optional<Path> manifest,
        String engine,
        Input input,
        Optional<Normalisation> normalisation,
        List<String> labels,
        double threshold,
        Map<String, String> severities) {

    /** The default engine: the pure-Java interpreter. */
    public static final String DEFAULT_ENGINE = "micro";
    public static final double DEFAULT_THRESHOLD = 0.8;

    public ModelSpec {
        BoardProfile.requireName(name);
        if (source == null || manifest == null || engine == null || input == null || normalisation == null) {
            throw new IllegalArgumentException("source, manifest, engine, input and normalisation must not be null");
        }
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new IllegalArgumentException("threshold must be in 0..1, was " + threshold);
        }
        labels = List.copyOf(labels);
        severities = Map.copyOf(severities);
    }

    /** Where a model file comes from. */
    public sealed interface Source {
        /** A model bundled with the agent, by name (e.g. {@code sensor-anomaly-int8}). */
        record Stock(String name) implements Source {
            public Stock {
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("stock model name must not be empty");
                }
            }
        }

        /** A {@code .tflite} file on the device. */
        record File(Path path) implements Source {
            public File {
                if (path == null) {
                    throw new IllegalArgumentException("path must not be null");
                }
            }
        }
    }

    /** What the model looks at. */
    public sealed interface Input {
        /**
         * A sliding window of the last readings of a numeric sensor; the model runs every
         * {@code every} samples once the window is full.
         *
         * @param sensor the sensor's name in this profile
         * @param window readings in the window; empty means the manifest's
         * @param every run after every this many new readings
         */
        record SensorWindow(String sensor, OptionalInt window, int every) implements Input {
            public SensorWindow {
                BoardProfile.requireName(sensor);
                if (window.isPresent() && (window.getAsInt() < 1 || window.getAsInt() > 65_536)) {
                    throw new IllegalArgumentException("window must be 1..65536, was " + window.getAsInt());
                }
                if (every < 1) {
                    throw new IllegalArgumentException("every must be >= 1, was " + every);
                }
            }
        }

        /**
         * Image frames read from a file or, in name order and round, from a directory (PGM, PNG, BMP,
         * JPEG; resized to the model's input), one every {@code interval}.
         */
        record Frames(Path path, Duration interval) implements Input {
            public Frames {
                if (path == null) {
                    throw new IllegalArgumentException("path must not be null");
                }
                if (interval == null || interval.isNegative() || interval.isZero()) {
                    throw new IllegalArgumentException("interval must be positive, was " + interval);
                }
            }
        }
    }

    /**
     * {@code (x - offset) / scale}, then clipped to {@code ±clip}: sensor values in their unit,
     * pixels in 0..255.
     *
     * @param offset what to subtract; empty means the window's mean
     * @param scale what to divide by (non-zero)
     * @param clip the largest magnitude kept, if any
     */
    public record Normalisation(OptionalDouble offset, double scale, OptionalDouble clip) {
        public Normalisation {
            if (!(Double.isFinite(scale) && scale != 0)) {
                throw new IllegalArgumentException("scale must be finite and non-zero, was " + scale);
            }
            if (clip.isPresent() && !(clip.getAsDouble() > 0)) {
                throw new IllegalArgumentException("clip must be positive, was " + clip.getAsDouble());
            }
        }

        /** Subtracts the mean of the window. */
        public static Normalisation windowMean(double scale, OptionalDouble clip) {
            return new Normalisation(OptionalDouble.empty(), scale, clip);
        }
    }
}
