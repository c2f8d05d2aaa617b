package dev.fieldline.tools.model;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train-sensor", mixinStandardHelpOptions = true,
        description = {
            "Train the sensor-anomaly classifier (normal / spike / drift / stuck over a window of 32 TMP36 readings) "
                    + "on the agent's simulated sensor, and export it as float32 and int8 TFLite with its manifest.",
            "The same seed gives the same bytes: model-artifacts/models/ holds the output of "
                    + "'fieldline model train-sensor --out model-artifacts/models --seed 1'."
        })
final class TrainSensorCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write the models and manifest into.")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of data, initialisation and shuffling (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        SensorModelTraining.Result r = SensorModelTraining.run(seed,
                "fieldline model train-sensor --out model-artifacts/models --seed " + seed);
        r.write(out);
        System.out.printf("trained %s %s in %.1f s (seed %d)%n", SensorModelTraining.NAME, SensorModelTraining.VERSION,
                (System.nanoTime() - start) / 1e9, seed);
        for (var f : r.manifest().files()) {
            System.out.printf("  %-28s %,7d bytes  accuracy %.4f  sha256 %s%n", f.file(), f.bytes(), f.accuracy(), f.sha256());
        }
        System.out.println("  " + SensorModelTraining.NAME + ".manifest.json");
        return 0;
    }
}
