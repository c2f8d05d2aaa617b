package dev.fieldline.training;

import java.util.List;

/** Updates parameters from their accumulated gradients, once per mini-batch. */
public interface Optimizer {

    /** Applies one update to every parameter (the gradients are left as they are). */
    void step(List<Parameter> parameters);
}
