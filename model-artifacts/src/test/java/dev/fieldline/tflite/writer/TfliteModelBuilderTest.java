package dev.fieldline.tflite.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.tflite.BuiltinOperator;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.Quantization;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TensorType;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.internal.FlatTable;
import dev.fieldline.tflite.micro.kernels.Activation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TfliteModelBuilderTest {

    private static final Quantization Q8 = Quantization.perTensor(0.05f, -3);

    @Test
    void everyOperatorRoundTripsThroughTheReader() {
        TfliteModelBuilder b = new TfliteModelBuilder().description("all ops").metadata("min_runtime_version",
                "1.14.0".getBytes(StandardCharsets.UTF_8));
        int in = b.addTensor("in", TensorType.INT8, new int[] {1, 6, 6, 2}, Q8);
        Quantization perChannel = new Quantization(new float[] {0.01f, 0.02f, 0.03f}, new long[] {0, 0, 0}, 0);
        int w = b.addConstantInt8("w", new int[] {3, 2, 2, 2}, perChannel, bytes(24, 7));
        Quantization biasQ = new Quantization(new float[] {0.0005f, 0.001f, 0.0015f}, new long[] {0, 0, 0}, 0);
        int bias = b.addConstantInt32("bias", new int[] {3}, biasQ, new int[] {-5, 0, 70000});
        int conv = b.addTensor("conv", TensorType.INT8, new int[] {1, 3, 3, 3}, Q8);
        b.addOperator(BuiltinOperator.CONV_2D, 3, new int[] {in, w, bias}, new int[] {conv},
                new BuiltinOptions.Conv2D(Padding.SAME, 2, 2, Activation.RELU6, 1, 1));
        Quantization dwQ = new Quantization(new float[] {0.1f, 0.2f, 0.3f}, new long[] {0, 0, 0}, 3);
        int dww = b.addConstantInt8("dw_w", new int[] {1, 3, 3, 3}, dwQ, bytes(27, 3));
        int dw = b.addTensor("dw", TensorType.INT8, new int[] {1, 2, 2, 3}, Q8);
        b.addOperator(BuiltinOperator.DEPTHWISE_CONV_2D, 3, new int[] {conv, dww, -1}, new int[] {dw},
                new BuiltinOptions.DepthwiseConv2D(Padding.VALID, 1, 1, 1, Activation.NONE, 2, 3));
        int avg = b.addTensor("avg", TensorType.INT8, new int[] {1, 1, 1, 3}, Q8);
        b.addOperator(BuiltinOperator.AVERAGE_POOL_2D, 2, new int[] {dw}, new int[] {avg},
                new BuiltinOptions.Pool2D(Padding.VALID, 2, 2, 2, 2, Activation.NONE));
        int max = b.addTensor("max", TensorType.INT8, new int[] {1, 1, 1, 3}, Q8);
        b.addOperator(BuiltinOperator.MAX_POOL_2D, 2, new int[] {dw}, new int[] {max},
                new BuiltinOptions.Pool2D(Padding.SAME, 3, 3, 3, 3, Activation.RELU));
        int flat = b.addTensor("flat", TensorType.INT8, new int[] {1, 3}, Q8);
        b.addOperator(BuiltinOperator.RESHAPE, 1, new int[] {avg}, new int[] {flat},
                new BuiltinOptions.Reshape(Optional.of(new int[] {1, 3})));
        int fcw = b.addConstantInt8("fc_w", new int[] {4, 3}, Quantization.perTensor(0.02f, 0), bytes(12, 5));
        int fc = b.addTensor("fc", TensorType.INT8, new int[] {1, 4}, Q8);
        b.addOperator(BuiltinOperator.FULLY_CONNECTED, 4, new int[] {flat, fcw, -1}, new int[] {fc},
                new BuiltinOptions.FullyConnected(Activation.RELU, true, false));
        int sm = b.addTensor("sm", TensorType.INT8, new int[] {1, 4}, Quantization.perTensor(1f / 256, -128));
        b.addOperator(BuiltinOperator.SOFTMAX, 2, new int[] {fc}, new int[] {sm}, new BuiltinOptions.Softmax(0.5f));
        int add = b.addTensor("add", TensorType.INT8, new int[] {1, 4}, Q8);
        b.addOperator(BuiltinOperator.ADD, 2, new int[] {sm, fc}, new int[] {add},
                new BuiltinOptions.Add(Activation.RELU_N1_TO_1, false));
        int sub = b.addTensor("sub", TensorType.INT8, new int[] {1, 4}, Q8);
        b.addOperator(BuiltinOperator.SUB, 2, new int[] {add, fc}, new int[] {sub},
                new BuiltinOptions.Sub(Activation.NONE, true));
        int mul = b.addTensor("mul", TensorType.INT8, new int[] {1, 4}, Q8);
        b.addOperator(BuiltinOperator.MUL, 2, new int[] {sub, add}, new int[] {mul}, new BuiltinOptions.Mul(Activation.RELU));
        int[] unary = new int[4];
        int prev = mul;
        int[] codes = {BuiltinOperator.LOGISTIC, BuiltinOperator.TANH, BuiltinOperator.RELU, BuiltinOperator.RELU6};
        for (int i = 0; i < 4; i++) {
            unary[i] = b.addTensor("u" + i, TensorType.INT8, new int[] {1, 4}, Q8);
            b.addOperator(codes[i], 2, new int[] {prev}, new int[] {unary[i]}, BuiltinOptions.NONE);
            prev = unary[i];
        }
        int leaky = b.addTensor("leaky", TensorType.INT8, new int[] {1, 4}, Q8);
        b.addOperator(BuiltinOperator.LEAKY_RELU, 2, new int[] {prev}, new int[] {leaky}, new BuiltinOptions.LeakyRelu(0.2f));
        int cat = b.addTensor("cat", TensorType.INT8, new int[] {1, 8}, Q8);
        b.addOperator(BuiltinOperator.CONCATENATION, 3, new int[] {leaky, mul}, new int[] {cat},
                new BuiltinOptions.Concatenation(-1, Activation.NONE));
        int pads = b.addConstantInt32("pads", new int[] {2, 2}, Quantization.NONE, new int[] {0, 0, 1, 2});
        int pad = b.addTensor("pad", TensorType.INT8, new int[] {1, 11}, Q8);
        b.addOperator(BuiltinOperator.PAD, 2, new int[] {cat, pads}, new int[] {pad}, new BuiltinOptions.Pad());
        int axis = b.addConstantInt32("axis", new int[] {1}, Quantization.NONE, new int[] {1});
        int mean = b.addTensor("mean", TensorType.INT8, new int[] {1, 1}, Q8);
        b.addOperator(BuiltinOperator.MEAN, 2, new int[] {pad, axis}, new int[] {mean}, new BuiltinOptions.Reducer(true));
        int deq = b.addTensor("deq", TensorType.FLOAT32, new int[] {1, 1}, Quantization.NONE);
        b.addOperator(BuiltinOperator.DEQUANTIZE, 2, new int[] {mean}, new int[] {deq}, new BuiltinOptions.Dequantize());
        int q16 = b.addTensor("q16", TensorType.INT16, new int[] {1, 1}, Quantization.perTensor(1e-4f, 0));
        b.addOperator(BuiltinOperator.QUANTIZE, 1, new int[] {deq}, new int[] {q16}, new BuiltinOptions.Quantize());
        // SVDF: feature weights, time weights int16, bias, variable state
        int svIn = b.addTensor("sv_in", TensorType.INT8, new int[] {1, 5}, Q8);
        int wf = b.addConstantInt8("wf", new int[] {4, 5}, Quantization.perTensor(0.01f, 0), bytes(20, 11));
        int wt = b.addConstantInt16("wt", new int[] {4, 3}, Quantization.perTensor(1e-3f, 0),
                new short[] {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, Short.MIN_VALUE});
        int state = b.addVariable("state", TensorType.INT16, new int[] {1, 12}, Quantization.perTensor(1e-3f, 0));
        int svOut = b.addTensor("sv_out", TensorType.INT8, new int[] {1, 2}, Q8);
        b.addOperator(BuiltinOperator.SVDF, 3, new int[] {svIn, wf, wt, -1, state}, new int[] {svOut},
                new BuiltinOptions.Svdf(2, Activation.RELU, false));
        b.inputs(in, svIn).outputs(q16, svOut, sm);

        byte[] bytes = b.build();
        assertThat(new String(bytes, 4, 4, StandardCharsets.US_ASCII)).isEqualTo("TFL3");
        TfliteModel m = TfliteModel.parse(bytes);

        assertThat(m.schemaVersion()).isEqualTo(3);
        assertThat(m.description()).isEqualTo("all ops");
        assertThat(m.inputs()).containsExactly(in, svIn);
        assertThat(m.outputs()).containsExactly(q16, svOut, sm);
        assertThat(m.tensors()).hasSize(b.tensorCount());
        assertThat(m.operators()).hasSize(21);

        TensorInfo tw = m.tensor(w);
        assertThat(tw.name()).isEqualTo("w");
        assertThat(tw.type()).isEqualTo(TensorType.INT8);
        assertThat(tw.shape()).containsExactly(3, 2, 2, 2);
        assertThat(tw.quantization()).isEqualTo(perChannel);
        assertThat(constant(m, tw)).isEqualTo(bytes(24, 7));
        assertThat(tw.dataOffset() % 16).as("constant data 16-byte aligned").isZero();
        assertThat(m.tensor(dww).quantization().quantizedDimension()).isEqualTo(3);
        assertThat(m.tensor(bias).quantization()).isEqualTo(biasQ);
        assertThat(constant(m, m.tensor(bias))).containsExactly(-5, -1, -1, -1, 0, 0, 0, 0, 0x70, 0x11, 0x01, 0);
        assertThat(constant(m, m.tensor(wt))).hasSize(24);
        assertThat(m.tensor(in).isConstant()).isFalse();
        assertThat(m.tensor(in).quantization()).isEqualTo(Q8);
        assertThat(m.tensor(deq).quantization().isQuantized()).isFalse();
        assertThat(m.tensor(state).variable()).isTrue();
        assertThat(m.tensor(state).isConstant()).isFalse();
        assertThat(m.tensor(svIn).variable()).isFalse();

        OperatorInfo c = m.operators().get(0);
        assertThat(c.builtinCode()).isEqualTo(BuiltinOperator.CONV_2D);
        assertThat(c.version()).isEqualTo(3);
        assertThat(c.inputs()).containsExactly(in, w, bias);
        assertThat(c.outputs()).containsExactly(conv);
        assertThat(c.optionsType()).isEqualTo(1);
        FlatTable o = c.options().orElseThrow();
        assertThat(o.getByte(0, 0)).isEqualTo(Padding.SAME.ordinal());
        assertThat(o.getInt(1, 0)).isEqualTo(2);
        assertThat(o.getInt(2, 0)).isEqualTo(2);
        assertThat(o.getByte(3, 0)).isEqualTo(Activation.RELU6.ordinal());
        assertThat(o.getInt(4, 1)).isEqualTo(1);

        FlatTable d = m.operators().get(1).options().orElseThrow();
        assertThat(m.operators().get(1).inputs()).containsExactly(conv, dww, -1);
        assertThat(d.getByte(0, 0)).isEqualTo(Padding.VALID.ordinal());
        assertThat(d.getInt(3, 0)).isEqualTo(1);
        assertThat(d.getInt(5, 1)).isEqualTo(2);
        assertThat(d.getInt(6, 1)).isEqualTo(3);

        FlatTable mp = m.operators().get(3).options().orElseThrow();
        assertThat(new int[] {mp.getInt(1, 0), mp.getInt(2, 0), mp.getInt(3, 0), mp.getInt(4, 0), mp.getByte(5, 0)})
                .containsExactly(3, 3, 3, 3, Activation.RELU.ordinal());
        assertThat(m.operators().get(4).options().orElseThrow().getIntVector(0)).containsExactly(1, 3);
        FlatTable fco = m.operators().get(5).options().orElseThrow();
        assertThat(fco.getByte(0, 0)).isEqualTo(Activation.RELU.ordinal());
        assertThat(fco.getBool(2, false)).isTrue();
        assertThat(m.operators().get(6).options().orElseThrow().getFloat(0, 0)).isEqualTo(0.5f);
        assertThat(m.operators().get(7).options().orElseThrow().getBool(1, true)).as("ADD pot_scale_int16").isFalse();
        assertThat(m.operators().get(8).options().orElseThrow().getBool(1, true)).as("SUB pot_scale_int16").isTrue();
        for (int i = 0; i < 4; i++) {
            OperatorInfo u = m.operators().get(10 + i);
            assertThat(u.builtinCode()).isEqualTo(codes[i]);
            assertThat(u.optionsType()).isZero();
            assertThat(u.options()).isEmpty();
        }
        assertThat(m.operators().get(14).options().orElseThrow().getFloat(0, 0)).isEqualTo(0.2f);
        assertThat(m.operators().get(15).options().orElseThrow().getInt(0, 0)).isEqualTo(-1);
        assertThat(m.operators().get(16).optionsType()).isEqualTo(22);
        assertThat(m.operators().get(17).options().orElseThrow().getBool(0, false)).isTrue();
        assertThat(m.operators().get(18).optionsType()).isEqualTo(38);
        assertThat(m.operators().get(19).optionsType()).isEqualTo(89);
        OperatorInfo svdf = m.operators().get(20);
        assertThat(svdf.inputs()).containsExactly(svIn, wf, wt, -1, state);
        assertThat(svdf.options().orElseThrow().getInt(0, 0)).isEqualTo(2);
        assertThat(svdf.options().orElseThrow().getByte(1, 0)).isEqualTo(Activation.RELU.ordinal());

        // metadata entry: name and its buffer
        FlatTable root = FlatTable.root(bytes, "model");
        FlatTable.Vector meta = root.getVector(6, 4);
        assertThat(meta.length()).isEqualTo(1);
        FlatTable entry = root.tableAt(meta, 0, "metadata[0]");
        assertThat(entry.getString(0, "")).isEqualTo("min_runtime_version");
        FlatTable buf = root.tableAt(root.getVector(4, 4), entry.getUint(1, 0), "buffer");
        FlatTable.Vector data = buf.getVector(0, 1);
        assertThat(new String(bytes, data.start(), data.length(), StandardCharsets.UTF_8)).isEqualTo("1.14.0");
    }

    @Test
    void operatorCodesGoInBothFieldsAndAreSharedPerVersion() {
        TfliteModelBuilder b = new TfliteModelBuilder();
        int x = b.addTensor("x", TensorType.FLOAT32, new int[] {4}, Quantization.NONE);
        int y = b.addTensor("y", TensorType.FLOAT32, new int[] {4}, Quantization.NONE);
        int z = b.addTensor("z", TensorType.FLOAT32, new int[] {4}, Quantization.NONE);
        b.addOperator(BuiltinOperator.RELU, 1, new int[] {x}, new int[] {y}, BuiltinOptions.NONE);
        b.addOperator(BuiltinOperator.RELU, 1, new int[] {y}, new int[] {z}, BuiltinOptions.NONE);
        int big = 150; // a code only builtin_code can hold
        int u = b.addTensor("u", TensorType.FLOAT32, new int[] {4}, Quantization.NONE);
        b.addOperator(big, 2, new int[] {z}, new int[] {u}, BuiltinOptions.NONE);
        int v = b.addTensor("v", TensorType.FLOAT32, new int[] {4}, Quantization.NONE);
        b.addOperator(BuiltinOperator.ADD, 1, new int[] {u, x}, new int[] {v},
                new BuiltinOptions.Add(Activation.NONE, true));
        byte[] bytes = b.inputs(x).outputs(v).build();

        FlatTable root = FlatTable.root(bytes, "model");
        FlatTable.Vector codes = root.getVector(1, 4);
        assertThat(codes.length()).as("RELU v1 shared, the big code, ADD").isEqualTo(3);
        int[][] got = new int[3][];
        for (int i = 0; i < 3; i++) {
            FlatTable oc = root.tableAt(codes, i, "code");
            got[i] = new int[] {oc.getByte(0, 0), oc.getInt(3, 0), oc.getInt(2, 1)};
        }
        assertThat(got[0]).containsExactly(BuiltinOperator.RELU, BuiltinOperator.RELU, 1);
        assertThat(got[1]).containsExactly(127, big, 2);
        assertThat(got[2]).containsExactly(0, 0, 1);
        TfliteModel m = TfliteModel.parse(bytes);
        assertThat(m.operators().stream().mapToInt(OperatorInfo::builtinCode).toArray())
                .containsExactly(BuiltinOperator.RELU, BuiltinOperator.RELU, big, BuiltinOperator.ADD);
        assertThat(m.operators().get(2).version()).isEqualTo(2);
    }

    @Test
    void refusesWhatWouldMakeABrokenFile() {
        TfliteModelBuilder b = new TfliteModelBuilder();
        int x = b.addTensor("x", TensorType.INT8, new int[] {1, 4}, Q8);
        assertThatThrownBy(() -> b.addConstantInt8("w", new int[] {2, 2}, Q8, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4 bytes");
        assertThatThrownBy(() -> b.addConstantInt8("w", new int[] {2, 2},
                new Quantization(new float[] {1, 2, 3}, new long[] {0, 0, 0}, 0), new byte[4]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quantized_dimension 0");
        assertThatThrownBy(() -> b.addOperator(BuiltinOperator.RELU, 1, new int[] {x}, new int[] {7}, BuiltinOptions.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RELU outputs: no tensor 7");
        assertThatThrownBy(() -> b.addOperator(BuiltinOperator.CONV_2D, 1, new int[] {x}, new int[] {x},
                new BuiltinOptions.Mul(Activation.NONE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CONV_2D takes Conv2D options");
        assertThatThrownBy(() -> new BuiltinOptions.Conv2D(Padding.SAME, 0, 1, Activation.NONE, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("strideW");
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no outputs");
    }

    private static byte[] constant(TfliteModel m, TensorInfo t) {
        return Arrays.copyOfRange(m.bytes(), t.dataOffset(), t.dataOffset() + t.byteSize());
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 37 + i * 101);
        }
        return b;
    }
}
