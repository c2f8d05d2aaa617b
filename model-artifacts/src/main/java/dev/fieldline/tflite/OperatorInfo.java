package dev.fieldline.tflite;

import dev.fieldline.tflite.internal.FlatTable;
import java.util.Arrays;
import java.util.Optional;

/**
 * One operator of the main subgraph.
 *
 * @param index position in execution order
 * @param builtinCode the builtin operator code ({@link BuiltinOperator})
 * @param customCode the custom operator's name when {@code builtinCode} is CUSTOM, else empty
 * @param version the operator version the file declares
 * @param inputs tensor indices, -1 for an omitted optional input
 * @param outputs tensor indices
 * @param intermediates tensor indices of intermediates (rarely used)
 * @param optionsType the builtin options union type, 0 when absent
 * @param options the builtin options table, when present
 */
public record OperatorInfo(
        int index,
        int builtinCode,
        String customCode,
        int version,
        int[] inputs,
        int[] outputs,
        int[] intermediates,
        int optionsType,
        Optional<FlatTable> options) {

    public OperatorInfo {
        inputs = inputs.clone();
        outputs = outputs.clone();
        intermediates = intermediates.clone();
    }

    @Override
    public int[] inputs() {
        return inputs.clone();
    }

    @Override
    public int[] outputs() {
        return outputs.clone();
    }

    @Override
    public int[] intermediates() {
        return intermediates.clone();
    }

    public int inputCount() {
        return inputs.length;
    }

    public int outputCount() {
        return outputs.length;
    }

    /** Tensor index of input {@code i}, -1 when absent or omitted. */
    public int input(int i) {
        return i < inputs.length ? inputs[i] : -1;
    }

    public int output(int i) {
        return i < outputs.length ? outputs[i] : -1;
    }

    public String name() {
        return builtinCode == BuiltinOperator.CUSTOM ? "CUSTOM(" + customCode + ")" : BuiltinOperator.name(builtinCode);
    }

    /** {@code operator #3 CONV_2D v2}. */
    public String describe() {
        return "operator #" + index + " " + name() + " v" + version;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OperatorInfo op
                && index == op.index
                && builtinCode == op.builtinCode
                && version == op.version
                && Arrays.equals(inputs, op.inputs)
                && Arrays.equals(outputs, op.outputs);
    }

    @Override
    public int hashCode() {
        return 31 * index + builtinCode;
    }

    @Override
    public String toString() {
        return describe() + " in=" + Arrays.toString(inputs) + " out=" + Arrays.toString(outputs);
    }
}
