package dev.fieldline.inference.tflite;

import dev.fieldline.inference.InferenceSession;
import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.kernels.Activation;
import dev.fieldline.tflite.writer.BuiltinOptions;
import dev.fieldline.tflite.writer.TfliteModelBuilder;
import java.nio.ByteBuffer;

/** A float SVDF whose output depends on its variable state: 3 inputs, 4 filters, memory 3, rank 2. */
final class StatefulModel {

    private StatefulModel() {}

    static TfliteModel floatSvdf() {
        TfliteModelBuilder b = new TfliteModelBuilder();
        int in = b.addTensor("in", TensorType.FLOAT32, new int[] {1, 3}, Quantization.NONE);
        int wf = b.addConstantFloat("weights_feature", new int[] {4, 3},
                new float[] {0.5f, -0.25f, 1, 0.75f, 0.5f, -1, -0.5f, 0.25f, 0.125f, 1, 1, 1});
        int wt = b.addConstantFloat("weights_time", new int[] {4, 3},
                new float[] {0.1f, 0.2f, 0.3f, -0.3f, 0.2f, 0.4f, 0.5f, -0.5f, 0.25f, 0.6f, 0.7f, 0.8f});
        int bias = b.addConstantFloat("bias", new int[] {2}, new float[] {0.01f, -0.02f});
        int state = b.addVariable("state", TensorType.FLOAT32, new int[] {1, 12}, Quantization.NONE);
        int out = b.addTensor("out", TensorType.FLOAT32, new int[] {1, 2}, Quantization.NONE);
        b.addOperator(BuiltinOperator.SVDF, 1, new int[] {in, wf, wt, bias, state}, new int[] {out},
                new BuiltinOptions.Svdf(2, Activation.NONE, false));
        return b.inputs(in).outputs(out).buildModel();
    }

    /** One step with the input [1, 2, -1]; returns the output. */
    static float[] step(InferenceSession s) {
        s.input(0).putFloat(1).putFloat(2).putFloat(-1);
        s.invoke();
        ByteBuffer o = s.output(0);
        return new float[] {o.getFloat(0), o.getFloat(4)};
    }
}
