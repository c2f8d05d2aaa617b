package dev.fieldline.federated;

import dev.fieldline.training.Parameter;
import dev.fieldline.training.Sequential;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The names and shapes of a model's parameters, in {@link Sequential#parameters()} order. Federated code
 * handles a model's weights as one flat {@code float[]}: the parameters' values concatenated in this
 * order, each row-major. An update ({@link ClientUpdate#delta()}) has the same layout.
 */
public record WeightLayout(List<String> names, List<int[]> shapes) {

    public WeightLayout {
        if (names.size() != shapes.size() || names.isEmpty()) {
            throw new IllegalArgumentException("a layout needs one shape per name and at least one parameter");
        }
        names = List.copyOf(names);
        List<int[]> copy = new ArrayList<>();
        for (int[] s : shapes) {
            copy.add(s.clone());
        }
        shapes = List.copyOf(copy);
    }

    public static WeightLayout of(Sequential model) {
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            names.add(p.name());
            shapes.add(p.shape());
        }
        return new WeightLayout(names, shapes);
    }

    /** Values in the flat vector. */
    public int size() {
        int n = 0;
        for (int[] s : shapes) {
            n = Math.addExact(n, count(s));
        }
        return n;
    }

    /** A copy of the model's weights as one flat vector. */
    public float[] read(Sequential model) {
        float[] flat = new float[size()];
        int at = 0;
        List<Parameter> params = checked(model);
        for (Parameter p : params) {
            System.arraycopy(p.value(), 0, flat, at, p.size());
            at += p.size();
        }
        return flat;
    }

    /** Sets the model's weights from a flat vector. */
    public void write(Sequential model, float[] flat) {
        if (flat.length != size()) {
            throw new IllegalArgumentException("weights hold " + flat.length + " values, the layout " + size());
        }
        int at = 0;
        for (Parameter p : checked(model)) {
            System.arraycopy(flat, at, p.value(), 0, p.size());
            at += p.size();
        }
    }

    private List<Parameter> checked(Sequential model) {
        List<Parameter> params = model.parameters();
        if (params.size() != shapes.size()) {
            throw new IllegalArgumentException("the model has " + params.size() + " parameters, the layout " + shapes.size());
        }
        for (int i = 0; i < params.size(); i++) {
            if (!Arrays.equals(params.get(i).shape(), shapes.get(i))) {
                throw new IllegalArgumentException("parameter " + i + " is " + params.get(i) + ", the layout has "
                        + names.get(i) + Arrays.toString(shapes.get(i)));
            }
        }
        return params;
    }

    private static int count(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WeightLayout other) || !names.equals(other.names) || shapes.size() != other.shapes.size()) {
            return false;
        }
        for (int i = 0; i < shapes.size(); i++) {
            if (!Arrays.equals(shapes.get(i), other.shapes.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = names.hashCode();
        for (int[] s : shapes) {
            h = 31 * h + Arrays.hashCode(s);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("WeightLayout[");
        for (int i = 0; i < names.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(names.get(i)).append(Arrays.toString(shapes.get(i)));
        }
        return sb.append(']').toString();
    }
}
