package dev.fieldline.config;

import dev.fieldline.config.ConfigException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads YAML documents into {@link ConfigNode} trees that remember file, line and key path. The
 * one YAML reader of the project: board profiles and agent configuration both use it. Anchors and
 * aliases are refused (configuration files do not need them, and they allow billion-laughs input).
 */
public final class YamlDocuments {
    /** Largest document accepted, in characters. */
    public static final int MAX_CHARS = 1 << 20;

    private YamlDocuments() {
    }

    /** Reads a YAML file; the file name is the source named in errors. */
    public static ConfigNode read(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_CHARS) {
                throw new ConfigException(Reason.UNREADABLE, file.toString(), 0, "", "larger than " + MAX_CHARS + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(Reason.NOT_FOUND, file.toString(), 0, "", "no such file", e);
        } catch (IOException e) {
            throw new ConfigException(Reason.UNREADABLE, file.toString(), 0, "", "cannot read: " + e.getMessage(), e);
        }
        return parse(file.toString(), text);
    }

    /** Reads a YAML classpath resource (absolute name, e.g. {@code /boards/sim.yaml}). */
    public static Optional<ConfigNode> readResource(Class<?> anchor, String resource) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            return Optional.of(parse("classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ConfigException(Reason.UNREADABLE, "classpath:" + resource, 0, "", "cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses YAML text; {@code source} names it in errors. An empty document is an empty map. */
    public static ConfigNode parse(String source, String text) {
        if (text.length() > MAX_CHARS) {
            throw new ConfigException(Reason.UNREADABLE, source, 0, "", "larger than " + MAX_CHARS + " characters");
        }
        LoadSettings settings = LoadSettings.builder()
                .setLabel(source)
                .setAllowRecursiveKeys(false)
                .setMaxAliasesForCollections(0)
                .setUseMarks(true)
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigException(Reason.SYNTAX, source, line, "", oneLine(e.getProblem()), e);
        } catch (YamlEngineException e) {
            throw new ConfigException(Reason.SYNTAX, source, 0, "", oneLine(e.getMessage()), e);
        }
        if (root.isEmpty()) {
            return ConfigNode.map(source, 1, "", new LinkedHashMap<>());
        }
        return convert(source, root.get(), "");
    }

    private static ConfigNode convert(String source, Node node, String path) {
        int line = node.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(0);
        if (node.getAnchor().isPresent()) {
            throw new ConfigException(Reason.SYNTAX, source, line, path, "anchors and aliases are not supported");
        }
        if (node instanceof ScalarNode s) {
            if (Tag.NULL.equals(s.getTag())) {
                return ConfigNode.nullNode(source, line, path);
            }
            return ConfigNode.scalar(source, line, path, s.getValue());
        }
        if (node instanceof SequenceNode seq) {
            List<ConfigNode> items = new ArrayList<>();
            int i = 0;
            for (Node item : seq.getValue()) {
                items.add(convert(source, item, path + "[" + i++ + "]"));
            }
            return ConfigNode.list(source, line, path, items);
        }
        if (node instanceof MappingNode map) {
            LinkedHashMap<String, ConfigNode> entries = new LinkedHashMap<>();
            java.util.Map<String, Integer> keyLines = new java.util.HashMap<>();
            for (NodeTuple t : map.getValue()) {
                Node keyNode = t.getKeyNode();
                int keyLine = keyNode.getStartMark().map(Mark::getLine).map(l -> l + 1).orElse(line);
                if (!(keyNode instanceof ScalarNode k) || Tag.NULL.equals(k.getTag())) {
                    throw new ConfigException(Reason.WRONG_TYPE, source, keyLine, path, "keys must be text");
                }
                String key = k.getValue();
                String childPath = path.isEmpty() ? key : path + "." + key;
                if (entries.containsKey(key)) {
                    throw new ConfigException(Reason.DUPLICATE_KEY, source, keyLine, childPath,
                            "duplicate key (first at line " + entries.get(key).line() + ")");
                }
                entries.put(key, convert(source, t.getValueNode(), childPath));
                keyLines.put(key, keyLine);
            }
            return ConfigNode.map(source, line, path, entries, keyLines);
        }
        throw new ConfigException(Reason.SYNTAX, source, line, path, "unsupported YAML node " + node.getNodeType());
    }

    private static String oneLine(String s) {
        return s == null ? "malformed YAML" : s.replace('\n', ' ').trim();
    }
}
