package dev.fieldline.tflite.micro.kernels;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The operators the pure-Java interpreter implements, by builtin code. */
public final class KernelRegistry {

    private static final KernelRegistry STANDARD = build();

    private final Map<Integer, KernelSpec> specs;

    private KernelRegistry(Map<Integer, KernelSpec> specs) {
        this.specs = Collections.unmodifiableMap(specs);
    }

    /** Every operator this project implements. */
    public static KernelRegistry standard() {
        return STANDARD;
    }

    private static KernelRegistry build() {
        Map<Integer, KernelSpec> m = new TreeMap<>();
        LayerKernels.register(m);
        ElementwiseKernels.register(m);
        return new KernelRegistry(m);
    }

    public Optional<KernelSpec> find(int builtinCode) {
        return Optional.ofNullable(specs.get(builtinCode));
    }

    public Collection<KernelSpec> all() {
        return specs.values();
    }

    /** Adds a spec, refusing a second registration of the same operator. */
    static void add(Map<Integer, KernelSpec> m, int code, int maxVersion, KernelFactory factory) {
        KernelSpec spec = new KernelSpec(code, maxVersion, factory);
        if (m.putIfAbsent(code, spec) != null) {
            throw new IllegalStateException(spec.name() + " registered twice");
        }
    }
}
