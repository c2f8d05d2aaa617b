package dev.fieldline.tflite.micro.kernels;

import dev.fieldline.tflite.BuiltinOperator;

/**
 * A builtin operator the interpreter implements, for versions 1 to {@code maxVersion}.
 *
 * @param builtinCode the {@link BuiltinOperator} code
 * @param maxVersion the newest operator version implemented
 * @param factory prepares a kernel for one operator instance
 */
public record KernelSpec(int builtinCode, int maxVersion, KernelFactory factory) {

    public String name() {
        return BuiltinOperator.name(builtinCode);
    }
}
