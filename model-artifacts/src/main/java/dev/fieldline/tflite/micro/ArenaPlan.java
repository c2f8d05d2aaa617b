package dev.fieldline.tflite.micro;

import dev.fieldline.tflite.ModelException;
import dev.fieldline.tflite.ModelException.Reason;
import dev.fieldline.tflite.OperatorInfo;
import dev.fieldline.tflite.TensorInfo;
import dev.fieldline.tflite.TfliteModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where each non-constant tensor lives in the interpreter's arena, computed once at load time in
 * the way of TFLite Micro's greedy planner: each tensor lives from the operator that writes it to the
 * last operator that reads it; tensors are placed largest first at the lowest offset that no
 * tensor alive at the same time occupies. Variable (state) tensors get space of their own after the
 * shared region. Model inputs live through the whole invocation, so inputs survive {@code invoke()}.
 */
public final class ArenaPlan {

    /** Alignment of every tensor in the arena. */
    public static final int ALIGN = 16;
    /** No arena beyond this (1 GiB): a larger plan is refused as a malformed or hostile model. */
    public static final long MAX_ARENA = 1L << 30;

    private final int[] offsets;
    private final int sharedBytes;
    private final int totalBytes;

    private ArenaPlan(int[] offsets, int sharedBytes, int totalBytes) {
        this.offsets = offsets;
        this.sharedBytes = sharedBytes;
        this.totalBytes = totalBytes;
    }

    /**
     * Plans the arena.
     *
     * @param preserveAll give every tensor its own space (nothing is overwritten; for probes)
     */
    public static ArenaPlan plan(TfliteModel model, boolean preserveAll) {
        List<TensorInfo> tensors = model.tensors();
        List<OperatorInfo> ops = model.operators();
        int n = tensors.size();
        int end = ops.size();
        int[] first = new int[n];
        int[] last = new int[n];
        Arrays.fill(first, Integer.MAX_VALUE);
        Arrays.fill(last, -1);
        for (int t : model.inputs()) {
            first[t] = -1;
            last[t] = end;
        }
        for (OperatorInfo op : ops) {
            for (int t : op.inputs()) {
                if (t >= 0) {
                    first[t] = Math.min(first[t], op.index());
                    last[t] = Math.max(last[t], op.index());
                }
            }
            for (int t : op.outputs()) {
                first[t] = Math.min(first[t], op.index());
                last[t] = Math.max(last[t], op.index());
            }
            for (int t : op.intermediates()) {
                first[t] = Math.min(first[t], op.index());
                last[t] = Math.max(last[t], op.index());
            }
        }
        for (int t : model.outputs()) {
            last[t] = end;
            first[t] = Math.min(first[t], end);
        }

        int[] offsets = new int[n];
        Arrays.fill(offsets, -1);
        List<Integer> planned = new ArrayList<>();
        List<Integer> variables = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (last[t.index()] < 0) {
                continue; // not used by anything
            }
            if (t.variable()) {
                variables.add(t.index());
            } else if (!t.isConstant()) {
                if (t.type().bytes() == 0) {
                    throw new ModelException(Reason.UNSUPPORTED, t.describe() + ": type " + t.type().dtype()
                            + " has no fixed element size", -1, t.index(), null);
                }
                planned.add(t.index());
            }
        }
        planned.sort(Comparator.comparingLong((Integer i) -> -(long) tensors.get(i).byteSize()).thenComparingInt(i -> i));

        long shared = 0;
        List<Integer> placed = new ArrayList<>();
        for (int t : planned) {
            long size = align(tensors.get(t).byteSize());
            long offset;
            if (preserveAll) {
                offset = shared;
            } else {
                List<Integer> overlapping = new ArrayList<>();
                for (int p : placed) {
                    if (first[p] <= last[t] && first[t] <= last[p]) {
                        overlapping.add(p);
                    }
                }
                overlapping.sort(Comparator.comparingInt(p -> offsets[p]));
                offset = 0;
                for (int p : overlapping) {
                    long pStart = offsets[p];
                    long pEnd = pStart + align(tensors.get(p).byteSize());
                    if (offset + size <= pStart) {
                        break;
                    }
                    offset = Math.max(offset, pEnd);
                }
            }
            if (offset + size > MAX_ARENA) {
                throw new ModelException(Reason.TOO_LARGE, "tensor arena would exceed " + MAX_ARENA + " bytes",
                        -1, t, null);
            }
            offsets[t] = (int) offset;
            placed.add(t);
            shared = Math.max(shared, offset + size);
        }
        long total = shared;
        for (int t : variables) {
            offsets[t] = (int) total;
            total += align(tensors.get(t).byteSize());
            if (total > MAX_ARENA) {
                throw new ModelException(Reason.TOO_LARGE, "tensor arena would exceed " + MAX_ARENA + " bytes",
                        -1, t, null);
            }
        }
        return new ArenaPlan(offsets, (int) shared, (int) total);
    }

    private static long align(long n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Offset of a tensor in the arena, -1 for constants and unused tensors. */
    public int offset(int tensor) {
        return offsets[tensor];
    }

    /** Bytes shared by activations over time. */
    public int sharedBytes() {
        return sharedBytes;
    }

    /** The whole arena: shared activations plus variable tensors. */
    public int totalBytes() {
        return totalBytes;
    }
}
