package dev.fieldline.inference.tflite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.inference.Engines;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.training.Dataset;
import dev.fieldline.training.ExportFixtures;
import dev.fieldline.training.Sequential;
import dev.fieldline.training.TfliteExport;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every exported operator and option (the CNN variants of {@link ExportFixtures}: VALID and SAME,
 * strides 1 and 2, max and average pooling, fused and standalone RELU, explicit flatten), trained
 * briefly on synthetic bar images, gives the same outputs on native TensorFlow Lite as on micro.
 */
@EnabledOnOs(value = OS.LINUX, architectures = {"amd64", "x86_64"})
class ExportedCnnVariantsOnNativeTfliteTest {

    private static final int IMAGES = 200;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.fieldline.training.ExportFixtures#variants")
    void nativeTensorFlowLiteComputesWhatMicroComputes(String name, int side, Supplier<Sequential> factory) {
        Sequential m = factory.get();
        int width = m.outputSize();
        Dataset train = ExportFixtures.bars(640, side, width, 11);
        ExportFixtures.trainBriefly(m, train);
        float[] images = ExportFixtures.bars(IMAGES, side, width, 12).inputs();
        TfliteModel floatModel = TfliteModel.parse(TfliteExport.float32(m, name));
        TfliteModel int8Model = TfliteModel.parse(TfliteExport.int8(m, train.inputs(), 300,
                TfliteExport.WeightGranularity.PER_TENSOR, name));
        InferenceEngine micro = Engines.require("micro");
        ExportRuns.Run microFloat = ExportRuns.run(micro, floatModel, images, IMAGES, false);
        ExportRuns.Run microInt8 = ExportRuns.run(micro, int8Model, images, IMAGES, true);
        for (String e : List.of(TfliteJniEngine.NAME, JavacppTfliteEngine.NAME)) {
            InferenceEngine engine = Engines.require(e);
            ExportRuns.Run f = ExportRuns.run(engine, floatModel, images, IMAGES, false);
            ExportRuns.Run q = ExportRuns.run(engine, int8Model, images, IMAGES, true);
            System.out.printf("%s on %s: float max |diff| vs micro %.2e; int8 %d of %d bytes differ (max %d LSB)%n",
                    name, e, ExportRuns.maxAbsDiff(f.floats(), microFloat.floats()),
                    ExportRuns.differingBytes(q.bytes(), microInt8.bytes()), q.bytes().length,
                    ExportRuns.maxLsbDiff(q.bytes(), microInt8.bytes()));
            assertThat(ExportRuns.maxAbsDiff(f.floats(), microFloat.floats())).as("%s float on %s", name, e)
                    .isLessThan(2e-5f);
            if (e.equals(TfliteJniEngine.NAME)) {
                assertThat(q.bytes()).as("%s int8 on %s: identical to micro", name, e).isEqualTo(microInt8.bytes());
            } else {
                assertThat(ExportRuns.maxLsbDiff(q.bytes(), microInt8.bytes())).as("%s int8 on %s, LSB", name, e)
                        .isLessThanOrEqualTo(1);
            }
        }
    }
}
