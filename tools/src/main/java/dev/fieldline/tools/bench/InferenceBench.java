package dev.fieldline.tools.bench;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.MicroInterpreter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Inference latency per model and engine in one run: load time, median / p90 / p99 / min invoke time
 * after warm-up, Java heap allocated per invoke, and the ratio of each engine's median to the
 * native TensorFlow Lite engines' medians. Inputs are random (seeded) values over each input's
 * type range; latency does not depend on them for these models.
 */
@Command(name = "inference", mixinStandardHelpOptions = true,
        description = "Median latency per model for the micro interpreter and each native engine in the same run, "
                + "the ratios, allocation per invoke, interpreter size.")
public final class InferenceBench implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL.tflite", arity = "0..*",
            description = "Models to run (default: every .tflite in ../shared/models and model-artifacts/models when found).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--engines", split = ",", paramLabel = "NAME",
            description = "Engines to compare (default: every engine available here).")
    List<String> engines;

    @Option(names = "--warmup", description = "Invocations before measuring (default: ${DEFAULT-VALUE}).")
    int warmup = 200;

    @Option(names = "--iterations", description = "Measured invocations (default: ${DEFAULT-VALUE}).")
    int iterations = 500;

    @Option(names = "--seed", description = "Seed of the random inputs (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    /** Latencies in microseconds. */
    record Row(String model, String engine, double loadMillis, double p50, double p90, double p99, double min,
            double allocatedPerInvoke) {}

    @Override
    public Integer call() throws IOException {
        List<Path> files = models.isEmpty() ? defaultModels() : models;
        if (files.isEmpty()) {
            System.err.println("no models given and none found in ../shared/models or model-artifacts/models");
            return 2;
        }
        List<InferenceEngine> chosen = engines == null ? Engines.available()
                : engines.stream().map(Engines::require).toList();
        System.out.printf(Locale.ROOT, "bench inference: %d model(s) x %s, warm-up %d, %d measured invokes, 1 thread; "
                        + "%d cores, Java %s (%s), %s %s%n", files.size(), chosen.stream().map(InferenceEngine::name).toList(),
                warmup, iterations, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), System.getProperty("os.name"), System.getProperty("os.arch"));
        for (InferenceEngine e : chosen) {
            System.out.println("  " + e.name() + ": " + e.description());
        }
        interpreterSize().ifPresent(s -> System.out.println("  " + s));
        System.out.printf(Locale.ROOT, "%-30s %-15s %9s %10s %10s %10s %10s %12s%n", "model", "engine", "load ms",
                "p50 us", "p90 us", "p99 us", "min us", "alloc B/inv");
        List<Row> rows = new ArrayList<>();
        for (Path file : files) {
            TfliteModel model = TfliteModel.read(file);
            for (InferenceEngine e : chosen) {
                List<String> problems = e.check(model);
                if (!problems.isEmpty()) {
                    System.out.printf(Locale.ROOT, "%-30s %-15s refuses the model: %s%n", file.getFileName(), e.name(),
                            problems.get(0).lines().findFirst().orElse(""));
                    continue;
                }
                Row r = measure(file.getFileName().toString(), model, e);
                rows.add(r);
                System.out.printf(Locale.ROOT, "%-30s %-15s %9.2f %10.1f %10.1f %10.1f %10.1f %12.0f%n", r.model(), r.engine(),
                        r.loadMillis(), r.p50(), r.p90(), r.p99(), r.min(), r.allocatedPerInvoke());
            }
        }
        printRatios(rows);
        return 0;
    }

    private Row measure(String name, TfliteModel model, InferenceEngine engine) {
        long t0 = System.nanoTime();
        try (InferenceSession s = engine.open(model, EngineOptions.DEFAULT)) {
            double load = (System.nanoTime() - t0) / 1e6;
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < s.inputs().size(); i++) {
                fill(s.inputs().get(i), s.input(i), random);
            }
            for (int i = 0; i < warmup; i++) {
                s.invoke();
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            long[] nanos = new long[iterations];
            long before = mx.getThreadAllocatedBytes(thread);
            for (int i = 0; i < iterations; i++) {
                long a = System.nanoTime();
                s.invoke();
                nanos[i] = System.nanoTime() - a;
            }
            long allocated = mx.getThreadAllocatedBytes(thread) - before;
            Arrays.sort(nanos);
            return new Row(name, engine.name(), load, pct(nanos, 50), pct(nanos, 90), pct(nanos, 99), nanos[0] / 1e3,
                    (double) allocated / iterations);
        }
    }

    private static double pct(long[] sorted, int p) {
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1e3;
    }

    private static void fill(TensorSpec spec, ByteBuffer b, SplittableRandom random) {
        for (int i = 0; i < spec.elementCount(); i++) {
            switch (spec.type()) {
                case FLOAT32 -> b.putFloat(4 * i, (float) random.nextDouble(-1, 1));
                case INT8, UINT8, BOOL -> b.put(i, (byte) random.nextInt(256));
                case INT16 -> b.putShort(2 * i, (short) random.nextInt(65536));
                case INT32 -> b.putInt(4 * i, random.nextInt());
                case INT64 -> b.putLong(8 * i, random.nextLong());
                default -> throw new IllegalArgumentException("cannot fill " + spec.type().dtype() + " input");
            }
        }
    }

    private static void printRatios(List<Row> rows) {
        List<String> natives = rows.stream().map(Row::engine).filter(e -> !e.equals(MicroInterpreter.ENGINE)).distinct().toList();
        if (natives.isEmpty()) {
            return;
        }
        System.out.println("ratio of median latency, micro / native (below 1: the interpreter is faster)");
        for (String model : rows.stream().map(Row::model).distinct().toList()) {
            Optional<Row> micro = rows.stream().filter(r -> r.model().equals(model) && r.engine().equals(MicroInterpreter.ENGINE)).findFirst();
            for (String n : natives) {
                Optional<Row> nat = rows.stream().filter(r -> r.model().equals(model) && r.engine().equals(n)).findFirst();
                if (micro.isPresent() && nat.isPresent()) {
                    System.out.printf(Locale.ROOT, "  %-30s micro/%-15s %6.2f%n", model, n, micro.get().p50() / nat.get().p50());
                }
            }
        }
    }

    /** Size of the interpreter's own classes (reader, engine API, interpreter, kernels), compressed. */
    static Optional<String> interpreterSize() {
        try {
            Path source = Path.of(MicroInterpreter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(source)) {
                return Optional.empty();
            }
            long bytes = 0;
            int classes = 0;
            try (JarFile jar = new JarFile(source.toFile())) {
                for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements(); ) {
                    JarEntry e = en.nextElement();
                    String n = e.getName();
                    boolean ours = n.startsWith("dev/fieldline/tflite/") && !n.startsWith("dev/fieldline/tflite/writer/")
                            || n.startsWith("dev/fieldline/inference/");
                    if (ours && n.endsWith(".class")) {
                        bytes += e.getCompressedSize();
                        classes++;
                    }
                }
            }
            return Optional.of(String.format(Locale.ROOT, "interpreter: %d classes, %,d bytes compressed in %s",
                    classes, bytes, source.getFileName()));
        } catch (IOException | URISyntaxException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static List<Path> defaultModels() throws IOException {
        List<Path> found = new ArrayList<>();
        for (String sub : List.of("shared/models", "model-artifacts/models")) {
            for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(sub);
                if (Files.isDirectory(candidate)) {
                    try (Stream<Path> s = Files.list(candidate)) {
                        s.filter(p -> p.toString().endsWith(".tflite")).sorted().forEach(found::add);
                    }
                    break;
                }
            }
        }
        return found;
    }
}
