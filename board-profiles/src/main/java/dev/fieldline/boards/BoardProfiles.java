package dev.fieldline.boards;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
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
 * Loads {@link BoardProfile}s from YAML: a stock profile shipped in this module
 * ({@code /boards/NAME.yaml}) or a file. Every error is a {@link ConfigException} naming the file,
 * line and key path.
 *
 * <pre>
 * name: sim
 * platform: sim
 * description: Simulated board
 * sampling-interval: 1s
 * adc: {bits: 12, reference-voltage: 3.3}
 * sensors:
 *   temperature: {driver: tmp36, adc-channel: 0}
 *   button: {driver: button, digital-input: 17, active-low: true, debounce: 20ms}
 * actuators:
 *   led: {driver: led, digital-output: 27}
 * models:
 *   sensor-anomaly:
 *     stock: sensor-anomaly-int8          # or file: models/my.tflite (relative to the profile)
 *     engine: micro                       # tflite, tflite-javacpp when on the class path
 *     input: {sensor: temperature, window: 32, every: 1}   # or {frames: DIR_OR_FILE, interval: 5s}
 *     normalise: {offset: window-mean, scale: 0.5, clip: 8}
 *     labels: [normal, spike, drift, stuck]
 *     threshold: 0.8
 *     severity: {spike: warning, drift: warning, stuck: critical}
 * </pre>
 *
 * <p>Relative paths under {@code models:} are resolved against the profile file's directory (the
 * working directory for stock profiles). A model's window length, normalisation and labels may be
 * left to its manifest.
 */
public final class BoardProfiles {
    /** Names of the profiles shipped as resources. */
    public static final List<String> STOCK = List.of("sim");

    private static final Set<String> TOP_KEYS =
            Set.of("name", "platform", "description", "sampling-interval", "adc", "sensors", "actuators", "models");
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");

    private BoardProfiles() {
    }

    /**
     * Loads a stock profile by name, or a profile file by path. Refuses a name that is neither,
     * listing the stock profiles.
     */
    public static BoardProfile load(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("nameOrPath must not be empty");
        }
        if (STOCK.contains(nameOrPath)) {
            ConfigNode root = YamlDocuments.readResource(BoardProfiles.class, "/boards/" + nameOrPath + ".yaml")
                    .orElseThrow(() -> new ConfigException(Reason.NOT_FOUND, "classpath:/boards/" + nameOrPath + ".yaml",
                            0, "", "stock profile resource missing from the jar"));
            return fromYaml(root);
        }
        Path file = Path.of(nameOrPath);
        if (!Files.exists(file)) {
            throw new ConfigException(Reason.NOT_FOUND, nameOrPath, 0, "",
                    "unknown board '" + nameOrPath + "': not a stock profile (stock profiles: "
                            + String.join(", ", STOCK) + ") and no such file");
        }
        return fromYaml(YamlDocuments.read(file));
    }

    /** Builds a profile from a parsed YAML document. */
    public static BoardProfile fromYaml(ConfigNode root) {
        root.allowOnly(TOP_KEYS);
        String name = root.require("name").parse(BoardProfile::requireName);
        String platform = root.require("platform").parse(BoardProfile::requireName);
        String description = root.string("description", "");
        Duration interval = root.duration("sampling-interval", Duration.ofSeconds(1),
                Duration.ofMillis(100), Duration.ofHours(1));
        BoardProfile.Adc adc = root.get("adc").map(BoardProfiles::adc).orElse(new BoardProfile.Adc(12, 3.3));

        Map<String, ConfigNode> seen = new HashMap<>();
        List<DeviceSpec> sensors = new ArrayList<>();
        for (Map.Entry<String, ConfigNode> e : root.get("sensors").map(ConfigNode::entries).orElse(List.of())) {
            sensors.add(device(e.getKey(), e.getValue(), true, adc, seen));
        }
        List<DeviceSpec> actuators = new ArrayList<>();
        for (Map.Entry<String, ConfigNode> e : root.get("actuators").map(ConfigNode::entries).orElse(List.of())) {
            actuators.add(device(e.getKey(), e.getValue(), false, adc, seen));
        }
        Path baseDir = root.source().startsWith("classpath:") ? Path.of("")
                : Path.of(root.source()).toAbsolutePath().getParent();
        List<ModelSpec> models = new ArrayList<>();
        for (Map.Entry<String, ConfigNode> e : root.get("models").map(ConfigNode::entries).orElse(List.of())) {
            models.add(model(e.getKey(), e.getValue(), baseDir, sensors));
        }
        try {
            return new BoardProfile(name, platform, description, interval, adc, sensors, actuators, models);
        } catch (IllegalArgumentException e) {
            throw root.error(Reason.INVALID_VALUE, e.getMessage());
        }
    }

    private static BoardProfile.Adc adc(ConfigNode n) {
        n.allowOnly(Set.of("bits", "reference-voltage"));
        return new BoardProfile.Adc(n.integer("bits", 12, 1, 24), n.number("reference-voltage", 3.3, 0.1, 50));
    }

    private static DeviceSpec device(String name, ConfigNode n, boolean sensor, BoardProfile.Adc adc,
                                     Map<String, ConfigNode> seenChannels) {
        String driver = n.require("driver").asString();
        DeviceSpec spec;
        try {
            spec = switch (driver) {
                case "tmp36" -> {
                    requireSection(n, driver, sensor, true);
                    n.allowOnly(Set.of("driver", "adc-channel"));
                    ConfigNode ch = n.require("adc-channel");
                    claim(seenChannels, "adc-channel " + ch.asInt(0, 255), ch);
                    yield new DeviceSpec.Tmp36(name, ch.asInt(0, 255));
                }
                case "button" -> {
                    requireSection(n, driver, sensor, true);
                    n.allowOnly(Set.of("driver", "digital-input", "active-low", "debounce"));
                    ConfigNode pin = n.require("digital-input");
                    claim(seenChannels, "digital pin " + pin.asInt(0, 1023), pin);
                    yield new DeviceSpec.Button(name, pin.asInt(0, 1023), n.bool("active-low", false),
                            n.duration("debounce", Duration.ofMillis(20), Duration.ZERO, Duration.ofSeconds(1)));
                }
                case "led" -> {
                    requireSection(n, driver, sensor, false);
                    n.allowOnly(Set.of("driver", "digital-output"));
                    ConfigNode pin = n.require("digital-output");
                    claim(seenChannels, "digital pin " + pin.asInt(0, 1023), pin);
                    yield new DeviceSpec.Led(name, pin.asInt(0, 1023));
                }
                default -> throw n.require("driver").error(Reason.INVALID_VALUE,
                        "unknown driver '" + driver + "'; known drivers: button, led, tmp36");
            };
        } catch (IllegalArgumentException e) {
            throw n.error(Reason.INVALID_VALUE, e.getMessage());
        }
        return spec;
    }

    private static ModelSpec model(String name, ConfigNode n, Path baseDir, List<DeviceSpec> sensors) {
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
            Path p = existing(file.get(), baseDir, false);
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
        Optional<Path> manifest = n.get("manifest").map(m -> existing(m, baseDir, false));
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
            if (sensors.stream().noneMatch(d -> d.name().equals(sensorName) && d instanceof DeviceSpec.Tmp36)) {
                throw sensor.get().error(Reason.INVALID_VALUE, "no numeric sensor '" + sensorName + "' on this board (numeric sensors: "
                        + String.join(", ", sensors.stream().filter(d -> d instanceof DeviceSpec.Tmp36).map(DeviceSpec::name).toList()) + ")");
            }
            OptionalInt window = in.get("window").map(w -> OptionalInt.of(w.asInt(1, 65_536))).orElse(OptionalInt.empty());
            input = new ModelSpec.Input.SensorWindow(sensorName, window, in.integer("every", 1, 1, 1_000_000));
        } else {
            for (String k : List.of("window", "every")) {
                if (in.get(k).isPresent()) {
                    throw in.require(k).error(Reason.INVALID_VALUE, "'" + k + "' belongs to a sensor window, not a frames input");
                }
            }
            input = new ModelSpec.Input.Frames(existing(frames.get(), baseDir, true),
                    in.duration("interval", Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofDays(1)));
        }
        Optional<ModelSpec.Normalisation> normalisation = n.get("normalise").map(BoardProfiles::normalisation);
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

    /** A path from the profile, resolved against its directory; it must exist (and be a regular file unless a directory is allowed). */
    private static Path existing(ConfigNode n, Path baseDir, boolean directoryAllowed) {
        Path p = baseDir.resolve(n.parse((String s) -> Path.of(s))).normalize();
        if (!Files.exists(p)) {
            throw n.error(Reason.INVALID_VALUE, "no such file: " + p);
        }
        if (!directoryAllowed && !Files.isRegularFile(p)) {
            throw n.error(Reason.INVALID_VALUE, "not a regular file: " + p);
        }
        return p;
    }

    private static void requireSection(ConfigNode n, String driver, boolean inSensors, boolean isSensor) {
        if (inSensors != isSensor) {
            throw n.require("driver").error(Reason.INVALID_VALUE,
                    "driver '" + driver + "' is " + (isSensor ? "a sensor" : "an actuator")
                            + " and belongs under '" + (isSensor ? "sensors" : "actuators") + "'");
        }
    }

    private static void claim(Map<String, ConfigNode> seen, String channel, ConfigNode at) {
        ConfigNode first = seen.putIfAbsent(channel, at);
        if (first != null) {
            throw at.error(Reason.INVALID_VALUE, channel + " is already used by " + first.path()
                    + " (line " + first.line() + ")");
        }
    }
}
