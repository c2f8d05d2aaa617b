package dev.fieldline.agent.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fieldline.boards.ModelSpec.Normalisation;
import dev.fieldline.inference.TensorSpec;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ProcessingTest {

    private static TensorSpec spec(TensorType type, Quantization q, int... shape) {
        return new TensorSpec(0, "t", type, shape, q);
    }

    private static ByteBuffer buffer(TensorSpec s) {
        return ByteBuffer.allocate(s.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void normalisesAroundTheWindowMeanAndClips() {
        float[] out = new float[4];
        Preprocessing.normalise(new double[] {20, 21, 22, 37}, 4,
                Normalisation.windowMean(0.5, OptionalDouble.of(8)), out);
        // mean 25: (20-25)/0.5 = -10 -> clipped to -8
        assertThat(out).containsExactly(-8f, -8f, -6f, 8f);
        Preprocessing.normalise(new double[] {0, 255}, 2, new Normalisation(OptionalDouble.of(127.5), 127.5,
                OptionalDouble.empty()), out);
        assertThat(out[0]).isEqualTo(-1f);
        assertThat(out[1]).isEqualTo(1f);
    }

    @Test
    void quantisesWithScaleAndZeroPointRoundingHalfAwayFromZeroAndSaturating() {
        Quantization q = Quantization.perTensor(0.5f, -3);
        TensorSpec s = spec(TensorType.INT8, q, 1, 6);
        ByteBuffer b = buffer(s);
        Preprocessing.write(new float[] {0f, 0.25f, -0.25f, 1.0f, 100f, -100f}, 6, s, b);
        // 0.25/0.5 = 0.5 -> 1 (away from zero), -0.5 -> -1
        assertThat(b.array()).containsExactly(-3, -2, -4, -1, 127, -128);
        TensorSpec u = spec(TensorType.UINT8, Quantization.perTensor(1f, 128), 2);
        ByteBuffer ub = buffer(u);
        Preprocessing.write(new float[] {-200f, 5f}, 2, u, ub);
        assertThat(ub.array()).containsExactly(0, (byte) 133);
        TensorSpec f = spec(TensorType.FLOAT32, Quantization.NONE, 2);
        ByteBuffer fb = buffer(f);
        Preprocessing.write(new float[] {1.5f, -2f}, 2, f, fb);
        assertThat(fb.getFloat(0)).isEqualTo(1.5f);
        assertThat(fb.getFloat(4)).isEqualTo(-2f);
        assertThatThrownBy(() -> Preprocessing.write(new float[3], 3, f, fb)).hasMessageContaining("3 values");
        assertThatThrownBy(() -> Preprocessing.write(new float[2], 2, spec(TensorType.INT8, Quantization.NONE, 2), ub))
                .hasMessageContaining("quantisation");
    }

    @Test
    void resizesBilinearlyAndConvertsChannels() {
        Frame grey = new Frame(2, 2, 1, new byte[] {0, 100, (byte) 200, (byte) 255});
        assertThat(Preprocessing.resize(grey, 2, 2, 1)).containsExactly(0, 100, 200, 255);
        double[] up = Preprocessing.resize(grey, 4, 4, 1);
        assertThat(up[0]).isEqualTo(0);
        assertThat(up[15]).isEqualTo(255);
        assertThat(up[1]).isCloseTo(25, within(1e-9)); // a quarter of the way from 0 to 100
        assertThat(Preprocessing.resize(grey, 1, 1, 3)).hasSize(3).containsOnly(138.75);
        Frame rgb = new Frame(1, 1, 3, new byte[] {(byte) 255, 0, 0});
        assertThat(Preprocessing.resize(rgb, 1, 1, 1)[0]).isCloseTo(0.299 * 255, within(1e-9));
    }

    @Test
    void dequantisesAndSoftmaxesUnlessTheModelEndsInOne() {
        TensorSpec logits = spec(TensorType.INT8, Quantization.perTensor(0.1f, 0), 1, 3);
        ByteBuffer b = buffer(logits);
        b.put(0, (byte) 10).put(1, (byte) 30).put(2, (byte) -10);
        Postprocessing.Classification c = Postprocessing.classify(logits, b, false, List.of("a", "b", "c"));
        assertThat(c.label()).isEqualTo("b");
        assertThat(c.index()).isEqualTo(1);
        double e1 = Math.exp(1);
        double e3 = Math.exp(3);
        double em1 = Math.exp(-1);
        assertThat((double) c.confidence()).isCloseTo(e3 / (e1 + e3 + em1), within(1e-6));
        assertThat(c.probabilities()).hasSize(3);

        // person_detect's output: int8 probabilities, scale 1/256, zero point -128
        TensorSpec probs = spec(TensorType.INT8, Quantization.perTensor(0.00390625f, -128), 1, 2);
        ByteBuffer p = buffer(probs);
        p.put(0, (byte) -113).put(1, (byte) 113);
        Postprocessing.Classification person = Postprocessing.classify(probs, p, true, List.of("no_person", "person"));
        assertThat(person.label()).isEqualTo("person");
        assertThat(person.confidence()).isEqualTo(241 / 256f);
        // without labels: class_N
        assertThat(Postprocessing.classify(probs, p, true, List.of()).label()).isEqualTo("class_1");
    }

    @Test
    void readsBinaryAndTextPgm() throws IOException {
        Frame f = new Frame(3, 2, 1, new byte[] {1, 2, 3, 4, 5, (byte) 250});
        assertThat(FrameSource.readPgm(FrameSource.toPgm(f), "x").pixels()).isEqualTo(f.pixels());
        byte[] text = "P2\n# comment\n2 1\n15\n0 15\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(FrameSource.readPgm(text, "t").pixels()).containsExactly(0, (byte) 255);
        assertThatThrownBy(() -> FrameSource.readPgm("P6 1 1 255 abc".getBytes(StandardCharsets.US_ASCII), "c"))
                .isInstanceOf(IOException.class).hasMessageContaining("not a PGM");
        assertThatThrownBy(() -> FrameSource.readPgm("P5 4 4 255\nab".getBytes(StandardCharsets.US_ASCII), "s"))
                .isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }
}
