package dev.fieldline.federated;

import dev.fieldline.training.Padding;
import dev.fieldline.training.Sequential;
import java.util.List;

/**
 * The models federated learning trains on 28×28×1 images with 10 classes (Fashion-MNIST), by name.
 * <ul>
 *   <li>{@code mlp}: McMahan et al.'s "2NN": dense 200 → ReLU → dense 200 → ReLU → dense 10
 *       (199,210 parameters).</li>
 *   <li>{@code cnn}: the LeNet-style CNN of Flower's niid_bench: conv 6@5×5 VALID → ReLU → max-pool 2 →
 *       conv 16@5×5 VALID → ReLU → max-pool 2 → dense 120 → ReLU → dense 84 → ReLU → dense 10
 *       (44,426 parameters).</li>
 * </ul>
 * Outputs are logits. The same name and seed give the same initial weights everywhere.
 */
public final class FlModels {
    public static final List<String> NAMES = List.of("mlp", "cnn");

    private FlModels() {
    }

    public static Sequential create(String name, long seed) {
        return switch (name) {
            case "mlp" -> Sequential.builder(seed, 28, 28, 1)
                    .dense(200).relu().dense(200).relu().dense(10).build();
            case "cnn" -> Sequential.builder(seed, 28, 28, 1)
                    .conv2d(6, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                    .conv2d(16, 5, 1, Padding.VALID).relu().maxPool(2, 2, Padding.VALID)
                    .dense(120).relu().dense(84).relu().dense(10).build();
            default -> throw new IllegalArgumentException("unknown model '" + name + "'; known: " + NAMES);
        };
    }
}
