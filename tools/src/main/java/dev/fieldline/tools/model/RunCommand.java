package dev.fieldline.tools.model;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TestVectors;
import dev.fieldline.tflite.TfliteModel;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {
            "Run a model on test vectors and write the raw outputs as JSON.",
            "The vectors file has the format of shared/models/golden/*.json: vectors[].id, "
                    + "vectors[].reset_variable_tensors_before and vectors[].inputs[] with index and raw data "
                    + "(quantised inputs as integers). Vectors run in order, so stateful models see the sequence.",
            "Output: {\"engine\": ..., \"vectors\": [{\"id\": ..., \"outputs\": [{\"index\": ..., \"shape\": [...], "
                    + "\"dtype\": \"...\", \"data\": [...]}]}]} with raw (not dequantised) values."
        })
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "The model file.")
    Path model;

    @Option(names = "--vectors", required = true, paramLabel = "FILE.json", description = "Test vectors to run.")
    Path vectors;

    @Option(names = "--engine", paramLabel = "NAME", defaultValue = "micro",
            description = "Inference engine: micro (pure Java), tflite or tflite-javacpp (native). Default: ${DEFAULT-VALUE}.")
    String engine;

    @Option(names = "--output", paramLabel = "OUT.json", description = "Write here instead of standard output.")
    Path output;

    @Option(names = "--threads", defaultValue = "1", description = "Threads for native engines (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        InferenceEngine e = Engines.require(engine);
        TfliteModel m = TfliteModel.read(model);
        TestVectors.File file = TestVectors.read(vectors);
        List<TestVectors.Result> results;
        try (InferenceSession session = e.open(m, new EngineOptions(threads, false))) {
            results = TestVectors.run(session, file.vectors());
        }
        if (output == null) {
            TestVectors.writeResults(e.name(), results, System.out);
            System.out.flush();
        } else {
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                TestVectors.writeResults(e.name(), results, out);
            }
            Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return 0;
    }
}
