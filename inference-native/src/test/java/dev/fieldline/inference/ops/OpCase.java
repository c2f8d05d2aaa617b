package dev.fieldline.inference.ops;

import dev.fieldline.tflite.TfliteModel;
import java.util.List;

/**
 * One generated single-operator model with its inputs.
 *
 * @param op the operator's name ({@code CONV_2D})
 * @param seed the generator seed that reproduces the case
 * @param params what was drawn: types, shapes, options, quantisation
 * @param model the model (written by our writer)
 * @param steps the raw little-endian input bytes per model input, per invocation (more than one
 *     step for stateful operators, run without a reset in between)
 */
record OpCase(String op, long seed, String params, TfliteModel model, List<List<byte[]>> steps) {

    /** Elements in the model's tensors: how big the case is, to report the smallest failures first. */
    long size() {
        long n = 0;
        for (var t : model.tensors()) {
            n += t.elementCount();
        }
        return n;
    }

    @Override
    public String toString() {
        return op + " seed=" + seed + " " + params;
    }
}
