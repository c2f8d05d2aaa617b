package dev.fieldline.tflite.micro.kernels;

/**
 * Prepares a kernel for one operator: checks the tensor types, shapes and options it is given
 * (throwing through {@link OpContext#unsupported} or {@link OpContext#invalid} otherwise), computes
 * its parameters and allocates what it needs. Runs once, at load time.
 */
@FunctionalInterface
public interface KernelFactory {

    Kernel prepare(OpContext ctx);
}
