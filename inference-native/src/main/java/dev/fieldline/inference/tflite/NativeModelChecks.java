package dev.fieldline.inference.tflite;

import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.internal.FlatTable;
import java.util.ArrayList;
import java.util.List;

/**
 * The quantisation checks that TensorFlow Lite's {@code InterpreterBuilder} makes when it parses
 * tensors (2.6.2 and 2.20 alike), repeated on the file's own fields. {@link TfliteModel} normalises
 * what TensorFlow Lite Micro tolerates (a 1-D bias tensor with an out-of-range
 * {@code quantized_dimension}), so this reads the raw field again. Used where the native runtime
 * only prints its reason on standard error (the JavaCPP build), so that {@code check} can say why.
 */
final class NativeModelChecks {

    private NativeModelChecks() {}

    /** One message per tensor TensorFlow Lite would refuse, naming the tensor. */
    static List<String> quantizationProblems(TfliteModel model) {
        List<String> problems = new ArrayList<>();
        FlatTable root = FlatTable.root(model.bytes(), "model");
        FlatTable sub = root.tableAt(root.getVector(2, 4), 0, "subgraphs[0]");
        FlatTable.Vector tensors = sub.getVector(0, 4);
        int count = tensors == null ? 0 : tensors.length();
        for (int i = 0; i < count; i++) {
            FlatTable q = sub.tableAt(tensors, i, "tensors[" + i + "]").getTable(4, "quantization");
            if (q == null) {
                continue;
            }
            float[] scales = q.getFloatVector(2);
            if (scales == null || scales.length == 0) {
                continue;
            }
            int rank = model.tensor(i).rank();
            int axis = q.getInt(6, 0);
            String where = model.tensor(i).describe();
            if (axis < 0 || (rank > 0 && axis >= rank)) {
                problems.add(where + ": quantized_dimension must be in range [0, " + rank + "). Was " + axis + ".");
            } else if (scales.length != 1 && rank > 0 && scales.length != model.tensor(i).dim(axis)) {
                problems.add(where + ": num_scales must be 1 for per-layer quantization, or " + model.tensor(i).dim(axis)
                        + " for per-axis quantization, but got " + scales.length + ".");
            }
        }
        return problems;
    }
}
