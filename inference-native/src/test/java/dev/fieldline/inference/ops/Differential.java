package dev.fieldline.inference.ops;

import dev.fieldline.inference.EngineOptions;
import dev.fieldline.inference.InferenceEngine;
import dev.fieldline.inference.InferenceSession;
import dev.fieldline.inference.TensorData;
import dev.fieldline.inference.TensorSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Runs cases on two engines and describes where they differ. */
final class Differential {

    /** Float outputs may differ by this much relative to the larger magnitude (and at least absolutely). */
    static final double FLOAT_TOLERANCE = 1e-5;

    private Differential() {}

    /** A case on which the engines disagree (or one of them refused it). */
    record Mismatch(OpCase c, String what) {}

    /** Outputs per step, or why the engine could not run the case. */
    record Outcome(List<List<TensorData>> steps, String error) {}

    static Outcome run(InferenceEngine engine, OpCase c) {
        try (InferenceSession s = engine.open(c.model(), EngineOptions.DEFAULT)) {
            List<List<TensorData>> steps = new ArrayList<>();
            for (List<byte[]> inputs : c.steps()) {
                for (int i = 0; i < inputs.size(); i++) {
                    s.input(i).put(inputs.get(i));
                }
                s.invoke();
                List<TensorData> outs = new ArrayList<>();
                for (int i = 0; i < s.outputs().size(); i++) {
                    TensorSpec spec = s.outputs().get(i);
                    outs.add(TensorData.read(i, spec, s.output(i)));
                }
                steps.add(outs);
            }
            return new Outcome(steps, null);
        } catch (RuntimeException e) {
            return new Outcome(List.of(), engine.name() + " fails: " + e);
        }
    }

    /** Where {@code actual} differs from {@code expected} (integers by more than {@code lsbTolerance}), or empty. */
    static Optional<String> compare(OpCase c, String expectedEngine, Outcome expected, String actualEngine,
            Outcome actual, int lsbTolerance) {
        if (expected.error() != null) {
            return Optional.of(expected.error());
        }
        if (actual.error() != null) {
            return Optional.of(actual.error());
        }
        for (int s = 0; s < expected.steps().size(); s++) {
            for (int o = 0; o < expected.steps().get(s).size(); o++) {
                TensorData want = expected.steps().get(s).get(o);
                TensorData got = actual.steps().get(s).get(o);
                for (int i = 0; i < want.length(); i++) {
                    double w = want.isFloat() ? want.floats()[i] : want.ints()[i];
                    double g = got.isFloat() ? got.floats()[i] : got.ints()[i];
                    if (!close(want.isFloat(), w, g, lsbTolerance)) {
                        return Optional.of("step " + s + " output " + o + " [" + i + "] of " + want.length() + ": "
                                + expectedEngine + " " + format(want, w) + ", " + actualEngine + " " + format(got, g));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static boolean close(boolean isFloat, double want, double got, int lsb) {
        if (isFloat) {
            if (Double.isNaN(want) || Double.isNaN(got)) {
                return Double.isNaN(want) && Double.isNaN(got);
            }
            return Math.abs(want - got) <= FLOAT_TOLERANCE * Math.max(1, Math.max(Math.abs(want), Math.abs(got)));
        }
        return Math.abs(want - got) <= lsb;
    }

    private static String format(TensorData t, double v) {
        return t.isFloat() ? Float.toString((float) v) : Long.toString((long) v);
    }

    /** A failure message: how many differ, the smallest cases in full, and how to rerun one. */
    static String report(String op, String expectedEngine, String actualEngine, int cases, List<Mismatch> mismatches) {
        List<Mismatch> sorted = new ArrayList<>(mismatches);
        sorted.sort(Comparator.comparingLong(m -> m.c().size()));
        StringBuilder b = new StringBuilder();
        b.append(op).append(": ").append(mismatches.size()).append(" of ").append(cases).append(" cases differ between ")
                .append(expectedEngine).append(" (expected) and ").append(actualEngine).append(" (actual); smallest:");
        for (int i = 0; i < Math.min(4, sorted.size()); i++) {
            Mismatch m = sorted.get(i);
            b.append("\n  ").append(m.c()).append("\n    ").append(m.what())
                    .append("\n    rerun: -Dfieldline.diff.op=").append(op).append(" -Dfieldline.diff.seed=").append(m.c().seed());
        }
        return b.toString();
    }
}
