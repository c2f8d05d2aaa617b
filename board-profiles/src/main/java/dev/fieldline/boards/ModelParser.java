package dev.fieldline.boards;

import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The {@code models:} section of a board profile. Relative paths are resolved against the directory
 * of the file that wrote them (the working directory for stock profiles).
 */
final class ModelParser {
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private ModelParser() {
    }

    static ModelSpec model(String name, ConfigNode n, List<DeviceSpec> sensors) {
        n.allowOnly(Set.of("file", "stock", "manifest", "engine", "input", "normalise", "labels", "threshold", "severity"));
        Optional<ConfigNode> file = n.get("file");
        Optional<ConfigNode> stock = n.get("stock");
        if (file.isPresent() == stock.isPresent()) {
            throw n.error(file.isPresent() ? Reason.INVALID_VALUE : Reason.MISSING_KEY,
                    "give either 'file' (a .tflite path) or 'stock' (a model bundled with the agent), not "
                            + (file.isPresent() ? "both" : "neither"));
        }
        ModelSpec.Source source;
        if (file.isPresent()) {
            Path p = existing(file.get(), false);
            source = new ModelSpec.Source.File(p);
        } else {
            // which stock models exist is the agent's to say (they ship with it, not with the profiles)
            source = new ModelSpec.Source.Stock(stock.get().parse(s -> {
                if (!s.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
                    throw new IllegalArgumentException("a stock model name is 1-64 of a-z 0-9 . _ -, was '" + s + "'");
                }
                return s;
            }));
        }
        Optional<Path> manifest = n.get("manifest").map(m -> existing(m, false));
        String engine = n.get("engine").map(e -> e.parse(BoardProfile::requireName)).orElse(ModelSpec.DEFAULT_ENGINE);
        ConfigNode in = n.require("input");
        in.allowOnly(Set.of("sensor", "window", "every", "frames", "interval"));
        Optional<ConfigNode> sensor = in.get("sensor");
        Optional<ConfigNode> frames = in.get("frames");
        if (sensor.isPresent() == frames.isPresent()) {
            throw in.error(sensor.isPresent() ? Reason.INVALID_VALUE : Reason.MISSING_KEY,
                    "give either 'sensor' (a sliding window of its readings) or 'frames' (an image file or directory), not "
                            + (sensor.isPresent() ? "both" : "neither"));
        }
        ModelSpec.Input input;
        if (sensor.isPresent()) {
            for (String k : List.of("frames", "interval")) {
                if (in.get(k).isPresent()) {
                    throw in.require(k).error(Reason.INVALID_VALUE, "'" + k + "' belongs to a frames input, not a sensor window");
                }
            }
            String sensorName = sensor.get().asString();
            if (sensors.stream().noneMatch(d -> d.name().equals(sensorName) && d.isSingleNumber())) {
                throw sensor.get().error(Reason.INVALID_VALUE, "no numeric sensor '" + sensorName + "' on this board (numeric sensors: "
                        + String.join(", ", sensors.stream().filter(DeviceSpec::isSingleNumber).map(DeviceSpec::name).toList()) + ")");
            }
            OptionalInt window = in.get("window").map(w -> OptionalInt.of(w.asInt(1, 65_536))).orElse(OptionalInt.empty());
            input = new ModelSpec.Input.SensorWindow(sensorName, window, in.integer("every", 1, 1, 1_000_000));
        } else {
            for (String k : List.of("window", "every")) {
                if (in.get(k).isPresent()) {
                    throw in.require(k).error(Reason.INVALID_VALUE, "'" + k + "' belongs to a sensor window, not a frames input");
                }
            }
            input = new ModelSpec.Input.Frames(existing(frames.get(), true),
                    in.duration("interval", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofDays(1)));
        }
        Optional<ModelSpec.Normalisation> normalisation = n.get("normalise").map(ModelParser::normalisation);
        List<String> labels = new ArrayList<>();
        n.get("labels").ifPresent(l -> {
            for (ConfigNode item : l.asList()) {
                String label = item.asString();
                if (label.isBlank() || labels.contains(label)) {
                    throw item.error(Reason.INVALID_VALUE, label.isBlank() ? "a label must not be empty" : "label '" + label + "' is listed twice");
                }
                labels.add(label);
            }
        });
        double threshold = n.number("threshold", ModelSpec.DEFAULT_THRESHOLD, 0, 1);
        Map<String, String> severities = new HashMap<>();
        n.get("severity").ifPresent(sev -> {
            for (Map.Entry<String, ConfigNode> e : sev.entries()) {
                if (!labels.isEmpty() && !labels.contains(e.getKey())) {
                    throw e.getValue().error(Reason.INVALID_VALUE, "'" + e.getKey() + "' is not one of the labels " + labels);
                }
                String level = e.getValue().asString();
                if (!SEVERITIES.contains(level)) {
                    throw e.getValue().error(Reason.INVALID_VALUE, "expected info, warning or critical, got '" + level + "'");
                }
                severities.put(e.getKey(), level);
            }
        });
        try {
            return new ModelSpec(name, source, manifest, engine, input, normalisation, labels, threshold, severities);
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private static ModelSpec.Normalisation normalisation(ConfigNode n) {
        n.allowOnly(Set.of("offset", "scale", "clip"));
        OptionalDouble offset = n.get("offset").map(o -> o.asString().equals("window-mean") ? OptionalDouble.empty()
                : OptionalDouble.of(o.asDouble(-1e9, 1e9))).orElse(OptionalDouble.of(0));
        ConfigNode scale = n.require("scale");
        double s = scale.asDouble(-1e9, 1e9);
        if (s == 0) {
            throw scale.error(Reason.INVALID_VALUE, "must not be 0");
        }
        OptionalDouble clip = n.get("clip").map(c -> OptionalDouble.of(c.asDouble(1e-9, 1e9))).orElse(OptionalDouble.empty());
        return new ModelSpec.Normalisation(offset, s, clip);
    }

    /** A path from the profile, resolved against the directory of the file that wrote it; it must exist (and be a regular file unless a directory is allowed). */
    private static Path existing(ConfigNode n, boolean directoryAllowed) {
        Path p;
        try {
            p = BoardProfiles.baseDir(n).resolve(n.parse((String s) -> Path.of(s))).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw n.error(Reason.INVALID_VALUE, "not a file name: " + e.getMessage());
        }
        if (!Files.exists(p)) {
            throw n.error(Reason.INVALID_VALUE, "no such file: " + p);
        }
        if (!directoryAllowed && !Files.isRegularFile(p)) {
            throw n.error(Reason.INVALID_VALUE, "not a regular file: " + p);
        }
        return p;
    }

}
