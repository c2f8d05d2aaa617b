package dev.fieldline.inference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The engines on the class path, found with {@link ServiceLoader}. The pure-Java {@code micro}
 * engine is always there; native ones only when their jars are on the class path and their native
 * library loads on this platform.
 */
public final class Engines {

    private Engines() {}

    /** Every engine on the class path, available or not, {@code micro} first. */
    public static List<InferenceEngine> all() {
        List<InferenceEngine> list = new ArrayList<>();
        for (InferenceEngine e : ServiceLoader.load(InferenceEngine.class, Engines.class.getClassLoader())) {
            list.add(e);
        }
        list.sort((a, b) -> a.name().equals("micro") ? -1 : b.name().equals("micro") ? 1 : a.name().compareTo(b.name()));
        return Collections.unmodifiableList(list);
    }

    public static List<InferenceEngine> available() {
        return all().stream().filter(InferenceEngine::isAvailable).toList();
    }

    public static Optional<InferenceEngine> find(String name) {
        return all().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /**
     * The named engine, ready to use.
     *
     * @throws EngineUnavailableException naming the reason and the engines that are available
     */
    public static InferenceEngine require(String name) {
        InferenceEngine engine = find(name).orElseThrow(() -> new EngineUnavailableException(name,
                "inference engine '" + name + "' is not in this build; available here: " + availableNames()
                        + (name.startsWith("tflite") ? " (the native engines are in fieldline.jar and in fieldline-native-engines.jar; "
                                + "the device jar fieldline-agent.jar needs the latter on its class path)" : "")));
        if (!engine.isAvailable()) {
            throw new EngineUnavailableException(name, "inference engine '" + name + "' cannot run on this machine: "
                    + engine.unavailableReason() + "; available here: " + availableNames());
        }
        return engine;
    }

    private static String availableNames() {
        return available().stream().map(InferenceEngine::name).collect(Collectors.joining(", "));
    }
}
