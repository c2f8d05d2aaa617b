package dev.fieldline.tools.model;

import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.Engines;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TfliteModel;
import dev.fieldline.tflite.micro.ArenaPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a model's inputs, outputs (shape, dtype, quantisation), operators with versions, "
                + "the interpreter's arena size, and whether each inference engine supports it. "
                + "Exits 0 when the model is valid, 1 when it is not.")
final class InspectCommand implements Callable<Integer> {

    @Parameters(paramLabel = "MODEL.tflite", description = "The model file.")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        TfliteModel m = TfliteModel.read(model);
        out.printf("model      %s%n", model);
        out.printf("size       %,d bytes, sha256 %s%n", m.size(), m.sha256());
        out.printf("schema     v%d, %d subgraph(s)%s%n", m.schemaVersion(), m.subgraphCount(),
                m.description().isEmpty() ? "" : ", description \"" + m.description() + "\"");
        out.println("inputs");
        for (int t : m.inputs()) {
            out.println("  " + tensorLine(m.tensor(t)));
        }
        out.println("outputs");
        for (int t : m.outputs()) {
            out.println("  " + tensorLine(m.tensor(t)));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (OperatorInfo op : m.operators()) {
            counts.merge(op.name() + " v" + op.version(), 1, Integer::sum);
        }
        out.printf("operators  %d: %s%n", m.operators().size(),
                counts.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).toList());
        for (OperatorInfo op : m.operators()) {
            out.printf("  #%-3d %-22s in %s out %s%n", op.index(), op.name() + " v" + op.version(),
                    Arrays.toString(op.inputs()), Arrays.toString(op.outputs()));
        }
        long variables = m.tensors().stream().filter(TensorInfo::variable).count();
        long constants = m.tensors().stream().filter(t -> t.isConstant() && !t.variable()).mapToLong(TensorInfo::byteSize).sum();
        out.printf("tensors    %d (%d variable), constant data %,d bytes%n", m.tensors().size(), variables, constants);
        boolean anySupports = false;
        ArenaPlan plan = ArenaPlan.plan(m, false);
        out.printf("arena      %,d bytes for the micro interpreter (%,d shared by activations, %,d state)%n",
                plan.totalBytes(), plan.sharedBytes(), plan.totalBytes() - plan.sharedBytes());
        out.println("engines");
        for (InferenceEngine e : Engines.all()) {
            String status;
            if (!e.isAvailable()) {
                status = "not available here: " + e.unavailableReason();
            } else {
                List<String> problems = e.check(m);
                anySupports |= problems.isEmpty();
                status = problems.isEmpty() ? "supported" : "refuses it: " + String.join("; ", problems);
            }
            out.printf("  %-15s %s%n", e.name(), status);
        }
        out.flush();
        return anySupports ? 0 : 1;
    }

    static String tensorLine(TensorInfo t) {
        return String.format("%-4d %-40s %s%s  %s", t.index(), t.name().isEmpty() ? "(unnamed)" : t.name(),
                t.type().dtype(), Arrays.toString(t.shape()), t.quantization());
    }
}
