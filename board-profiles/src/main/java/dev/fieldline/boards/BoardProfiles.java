package dev.fieldline.boards;

import dev.fieldline.config.ConfigException;
import dev.fieldline.config.ConfigException.Reason;
import dev.fieldline.config.ConfigNode;
import dev.fieldline.config.YamlDocuments;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads {@link BoardProfile}s from YAML: a stock profile shipped in this module
 * ({@code /boards/NAME.yaml}: {@link #STOCK}) or a file. A profile may {@code extends:} a stock
 * profile or another file (relative to its own directory) and add its wiring; the result is checked
 * as a whole. Every problem found is reported, each as a {@link ConfigException} naming the file,
 * line and key path and what would be valid; several come as one exception whose
 * {@link ConfigException#problems()} lists them. The format is described in {@code docs/boards.md}
 * and, for editors, by the JSON Schema {@code /boards/board-profile.schema.json}.
 *
 * <pre>
 * name: greenhouse
 * extends: rpi4b
 * sampling-interval: 2s
 * sensors:
 *   air: {driver: bme280, i2c: i2c1, address: 0x76}
 *   adc: {driver: mcp3008, spi: spi0, chip-select: 0}
 *   soil: {driver: tmp36, adc: adc, channel: 0, interval: 10s}
 *   door: {driver: button, pin: 17, active-low: true}
 * actuators:
 *   fan: {driver: relay, pin: 27}
 * </pre>
 */
public final class BoardProfiles {
    /** Names of the profiles shipped as resources. */
    public static final List<String> STOCK =
            List.of("sim", "rpi3b", "rpi4b", "rpi5", "rpi-zero-2w", "esp32-devkitc", "esp32-s3-devkitc");
    /** How many profiles deep {@code extends} may go. */
    public static final int MAX_EXTENDS_DEPTH = 8;
    /** The JSON Schema of profiles, as a classpath resource. */
    public static final String SCHEMA_RESOURCE = "/boards/board-profile.schema.json";

    private BoardProfiles() {
    }

    /**
     * Loads a stock profile by name, or a profile file by path. Refuses a name that is neither,
     * listing the stock profiles.
     */
    public static BoardProfile load(String nameOrPath) {
        return fromYaml(document(nameOrPath));
    }

    /** The YAML document of a stock profile or a profile file, unresolved (its {@code extends} not applied). */
    public static ConfigNode document(String nameOrPath) {
        if (nameOrPath == null || nameOrPath.isBlank()) {
            throw new IllegalArgumentException("nameOrPath must not be empty");
        }
        if (STOCK.contains(nameOrPath)) {
            return stock(nameOrPath);
        }
        Path file;
        try {
            file = Path.of(nameOrPath);
        } catch (InvalidPathException e) {
            file = null;
        }
        if (file == null || !Files.exists(file)) {
            throw new ConfigException(Reason.NOT_FOUND, nameOrPath, 0, "",
                    "unknown board '" + nameOrPath + "': not a stock profile (stock profiles: "
                            + String.join(", ", STOCK) + ") and no such file");
        }
        return YamlDocuments.read(file);
    }

    /** Builds a profile from a parsed YAML document, applying its {@code extends}. */
    public static BoardProfile fromYaml(ConfigNode root) {
        List<String> lineage = new ArrayList<>();
        ConfigNode resolved = resolve(root, new ArrayList<>(), lineage);
        return new ProfileParser(resolved, lineage).parse();
    }

    /** The document with everything it {@code extends} merged beneath it (see {@link ConfigNode#merge}). */
    public static ConfigNode resolve(ConfigNode root) {
        return resolve(root, new ArrayList<>(), new ArrayList<>());
    }

    private static ConfigNode stock(String name) {
        return YamlDocuments.readResource(BoardProfiles.class, "/boards/" + name + ".yaml")
                .orElseThrow(() -> new ConfigException(Reason.NOT_FOUND, "classpath:/boards/" + name + ".yaml",
                        0, "", "stock profile resource missing from the jar"));
    }

    private static ConfigNode resolve(ConfigNode doc, List<String> seen, List<String> lineage) {
        if (doc.kind() != ConfigNode.Kind.MAP) {
            throw doc.error(Reason.WRONG_TYPE, "a board profile is a map of keys (name, platform, pins, ...)");
        }
        ConfigNode ext = doc.get("extends").orElse(null);
        if (ext == null) {
            return doc;
        }
        String target = ext.asString();
        if (doc.get("name").isEmpty()) {
            throw doc.error(Reason.MISSING_KEY, "required key 'name' is missing (a profile that extends '" + target
                    + "' needs its own name)");
        }
        if (seen.size() >= MAX_EXTENDS_DEPTH) {
            throw ext.error(Reason.INVALID_VALUE, "profiles extend each other more than " + MAX_EXTENDS_DEPTH + " deep");
        }
        ConfigNode parent;
        String key;
        if (STOCK.contains(target)) {
            parent = stock(target);
            key = "stock:" + target;
        } else {
            Path file;
            try {
                file = baseDir(doc).resolve(target).normalize();
            } catch (InvalidPathException e) {
                throw ext.error(Reason.INVALID_VALUE, "'" + target + "' is not a file name");
            }
            if (!Files.isRegularFile(file)) {
                throw ext.error(Reason.NOT_FOUND, "'" + target + "' is neither a stock profile (" + String.join(", ", STOCK)
                        + ") nor a file (looked for " + file + ")");
            }
            parent = YamlDocuments.read(file);
            key = file.toAbsolutePath().toString();
        }
        if (seen.contains(key)) {
            throw ext.error(Reason.INVALID_VALUE, "'" + target + "' extends itself (through " + String.join(" -> ", seen) + ")");
        }
        seen.add(key);
        List<String> above = new ArrayList<>();
        ConfigNode base = resolve(parent, seen, above);
        ConfigNode own = doc.without("extends");
        String basePlatform = base.get("platform").filter(p -> p.kind() == ConfigNode.Kind.SCALAR)
                .map(ConfigNode::asString).orElse(null);
        own.get("platform").filter(p -> p.kind() == ConfigNode.Kind.SCALAR).ifPresent(p -> {
            if (basePlatform != null && !basePlatform.equals(p.asString())) {
                throw p.error(Reason.INVALID_VALUE, "'" + target + "' runs on platform " + basePlatform
                        + "; a profile that extends it keeps that platform (leave 'platform' out)");
            }
        });
        lineage.add(base.get("name").filter(n -> n.kind() == ConfigNode.Kind.SCALAR).map(ConfigNode::asString)
                .orElse(target));
        lineage.addAll(above);
        return ConfigNode.merge(base, own);
    }

    /** The directory paths in a document are relative to (the working directory for stock profiles). */
    static Path baseDir(ConfigNode doc) {
        if (doc.source().startsWith("classpath:")) {
            return Path.of("");
        }
        Path parent = Path.of(doc.source()).toAbsolutePath().getParent();
        return parent == null ? Path.of("") : parent;
    }
}
