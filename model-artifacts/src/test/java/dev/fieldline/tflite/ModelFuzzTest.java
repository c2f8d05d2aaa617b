package dev.fieldline.tflite;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fieldline.tflite.micro.MicroInterpreter;

/**
 * Coverage-guided fuzzing (Jazzer) of the model loader: for any bytes, reading the flatbuffer and
 * preparing the interpreter either refuses with {@link ModelException} or gives an interpreter that
 * runs; nothing else escapes, and invoke never fails on a model that loaded. Inputs (small models made
 * by the project's TFLite writer) in
 * {@code src/test/resources/dev/fieldline/tflite/ModelFuzzTestInputs/model}; see docs/testing.md,
 * "Fuzzing".
 */
class ModelFuzzTest {
    @FuzzTest
    void model(byte[] input) {
        TfliteModel m;
        try {
            m = TfliteModel.parse(input, 1 << 20);
        } catch (ModelException refused) {
            return;
        }
        try (MicroInterpreter interpreter = MicroInterpreter.create(m)) {
            interpreter.invoke();
            interpreter.resetVariableTensors();
            interpreter.invoke();
        } catch (ModelException refused) {
            // the contract: a typed refusal naming the operator and tensor
        }
    }
}
