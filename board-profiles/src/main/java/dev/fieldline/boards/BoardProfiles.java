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
 * </pre>
 */
public final class BoardProfiles {
    /** Names of the profiles shipped as resources. */
    public static final List<String> STOCK = List.of("sim");

    private static final Set<String> TOP_KEYS =
            Set.of("name", "platform", "description", "sampling-interval", "adc", "sensors", "actuators");

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
        try {
            return new BoardProfile(name, platform, description, interval, adc, sensors, actuators);
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
