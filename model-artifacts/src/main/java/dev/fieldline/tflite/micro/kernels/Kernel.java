package dev.fieldline.tflite.micro.kernels;

/**
 * A prepared operator: bound to its tensors, parameters computed, scratch allocated. {@link #invoke()}
 * runs it once and must not allocate.
 */
public interface Kernel {

    void invoke();
}
