package dev.fieldline.tools.fl;

import dev.fieldline.training.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/** Where Fashion-MNIST is read from, and how much of it to use (all of it unless limited, for quick runs). */
final class DataOptions {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Fashion-MNIST's four IDX files (default: ${DEFAULT-VALUE}, Debian's dataset-fashion-mnist).")
    Path data = FashionMnist.DEBIAN_DIR;

    @Option(names = "--train-limit", paramLabel = "N",
            description = "Use only the first N training images (default: all 60,000).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N",
            description = "Evaluate on only the first N test images (default: all 10,000).")
    Integer testLimit;

    void check() {
        if (trainLimit != null && trainLimit < 1) {
            throw new IllegalArgumentException("--train-limit must be at least 1, was " + trainLimit);
        }
        if (testLimit != null && testLimit < 1) {
            throw new IllegalArgumentException("--test-limit must be at least 1, was " + testLimit);
        }
    }

    FashionMnist load() {
        FashionMnist f;
        try {
            f = FashionMnist.load(data);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Fashion-MNIST from " + data + ": " + e.getMessage(), e);
        }
        return new FashionMnist(head(f.train(), trainLimit), head(f.test(), testLimit));
    }

    private static FashionMnist.Split head(FashionMnist.Split s, Integer limit) {
        if (limit == null || limit >= s.count()) {
            return s;
        }
        int px = FashionMnist.ROWS * FashionMnist.COLS;
        return new FashionMnist.Split(Arrays.copyOf(s.images(), limit * px), Arrays.copyOf(s.labels(), limit));
    }
}
