package dev.fieldline.tools.fl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fieldline.federated.sim.CentralizedTraining;
import dev.fieldline.training.data.FashionMnist;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "centralized", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Train the federated models centrally on the whole Fashion-MNIST training set, for comparison with "
                    + "'fl simulate': same model, same optimiser (SGD with momentum).",
            "Prints one line per epoch and ends with one JSON line: {\"final_accuracy\": ..., \"epochs\": ..., \"seconds\": ...}."
        })
final class CentralizedCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", paramLabel = "mlp|cnn", description = "mlp or cnn (default: ${DEFAULT-VALUE}).")
    String model = "cnn";

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 10;

    @Option(names = "--batch", paramLabel = "B", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--lr", paramLabel = "RATE", description = "SGD learning rate (default: ${DEFAULT-VALUE}).")
    float lr = 0.01f;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum = 0.9f;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the weights and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Mixin
    DataOptions data;

    @Override
    public Integer call() throws JsonProcessingException {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("--lr must be positive, was " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("--momentum must be in [0, 1), was " + momentum);
        }
        CentralizedTraining.Config config;
        try {
            config = new CentralizedTraining.Config(model, epochs, batch, lr, momentum, seed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("epochs must", "--epochs must")
                    .replace("batch size must", "--batch must"), e);
        }
        data.check();
        FashionMnist f = data.load();
        PrintStream out = System.out;
        out.printf(Locale.ROOT, "fl centralized: %s, B=%d lr=%s momentum=%s, %,d training and %,d test images%n", model,
                batch, lr, momentum, f.train().count(), f.test().count());
        CentralizedTraining.Result result = CentralizedTraining.run(config, f.train(), f.test(),
                e -> out.printf(Locale.ROOT, "epoch %3d/%d  accuracy %.4f  loss %.4f  train loss %.4f  %.2f s%n", e.epoch(),
                        epochs, e.accuracy(), e.loss(), e.trainLoss(), e.seconds()));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("final_accuracy", result.finalAccuracy());
        json.put("epochs", result.epochs().size());
        json.put("seconds", Math.round(result.seconds() * 1000) / 1000.0);
        out.println(JSON.writeValueAsString(json));
        out.flush();
        return 0;
    }
}
