package dev.fieldline.federated;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Byzantine attack for simulations and tests: a fraction of the clients, chosen deterministically by a
 * seed, replace their honest update with a forged one of the same length and example count.
 * Spec {@code FRACTION:KIND[:PARAM]}:
 * <ul>
 *   <li>{@code sign_flip[:S]}: sends {@code −S·Δ} (S defaults to 1, the plain sign flip);</li>
 *   <li>{@code scale[:S]}: sends {@code S·Δ} (S defaults to 10);</li>
 *   <li>{@code random[:SIGMA]}: sends Gaussian noise with standard deviation σ per weight, ignoring Δ
 *       (σ defaults to 1);</li>
 *   <li>{@code zero}: sends a zero delta (a free rider).</li>
 * </ul>
 * E.g. {@code 0.3:sign_flip}, {@code 0.2:scale:100}, {@code 0.3:random:0.5}. Immutable.
 *
 * <p>Typical use: {@code Set<String> bad = attack.attackers(clientIds, seed)} once, then for each client in
 * {@code bad}, {@code update = attack.apply(update, random)} before submitting it.
 */
public record Byzantine(double fraction, Kind kind, double parameter) {

    /** The forged update's recipe. */
    public enum Kind {
        SIGN_FLIP("sign_flip", 1), SCALE("scale", 10), RANDOM("random", 1), ZERO("zero", Double.NaN);

        private final String label;
        private final double defaultParameter;

        Kind(String label, double defaultParameter) {
            this.label = label;
            this.defaultParameter = defaultParameter;
        }

        public String label() {
            return label;
        }

        /** NaN when the kind takes no parameter. */
        public double defaultParameter() {
            return defaultParameter;
        }

        static Kind of(String label) {
            for (Kind k : values()) {
                if (k.label.equals(label)) {
                    return k;
                }
            }
            List<String> known = new ArrayList<>();
            for (Kind k : values()) {
                known.add(k.label);
            }
            throw new IllegalArgumentException("unknown attack '" + label + "'; known: " + String.join(", ", known));
        }
    }

    public Byzantine {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("byzantine fraction must be in [0, 1], was " + fraction);
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (kind == Kind.ZERO) {
            if (!Double.isNaN(parameter)) {
                throw new IllegalArgumentException("attack zero takes no parameter, was given " + parameter);
            }
        } else if (!(parameter > 0) || !Double.isFinite(parameter)) {
            throw new IllegalArgumentException("attack " + kind.label() + " needs a positive finite parameter, was "
                    + parameter);
        }
    }

    /** Parses {@code FRACTION:KIND[:PARAM]}, e.g. {@code 0.3:sign_flip} or {@code 0.3:scale:10}. */
    public static Byzantine parse(String spec) {
        String usage = " (expected FRACTION:KIND[:PARAM], e.g. 0.3:sign_flip, 0.3:scale:10, 0.3:random:1, 0.3:zero)";
        if (spec == null) {
            throw new IllegalArgumentException("byzantine spec is missing" + usage);
        }
        String[] parts = spec.trim().split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("byzantine spec '" + spec + "' is malformed" + usage);
        }
        double fraction;
        try {
            fraction = Double.parseDouble(parts[0].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("byzantine fraction '" + parts[0].trim() + "' is not a number" + usage);
        }
        Kind kind = Kind.of(parts[1].trim().toLowerCase(Locale.ROOT));
        double parameter = kind.defaultParameter();
        if (parts.length == 3) {
            if (kind == Kind.ZERO) {
                throw new IllegalArgumentException("attack zero takes no parameter, was given '" + parts[2].trim() + "'");
            }
            try {
                parameter = Double.parseDouble(parts[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("attack " + kind.label() + ": parameter '" + parts[2].trim()
                        + "' is not a number" + usage);
            }
        }
        return new Byzantine(fraction, kind, parameter);
    }

    /** The spec {@link #parse} reads back. */
    public String spec() {
        String f = Double.toString(fraction);
        return kind == Kind.ZERO ? f + ":zero" : f + ":" + kind.label() + ":" + parameter;
    }

    /** How many of {@code n} clients attack: ⌊fraction·n⌋. */
    public int count(int n) {
        return (int) Math.floor(fraction * n + 1e-9);
    }

    /**
     * Which clients attack: {@link #count} of them, drawn by a seeded shuffle of the ids in sorted order,
     * so the same ids and seed always give the same set whatever the order they are passed in.
     */
    public Set<String> attackers(Collection<String> clientIds, long seed) {
        List<String> ids = new ArrayList<>(new TreeSet<>(clientIds));
        int k = count(ids.size());
        Random r = new Random(seed);
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(ids.size() - i);
            String t = ids.get(i);
            ids.set(i, ids.get(j));
            ids.set(j, t);
        }
        return new TreeSet<>(ids.subList(0, k));
    }

    /** The forged version of an honest update: same client, length, example count and metrics. */
    public ClientUpdate apply(ClientUpdate honest, Random random) {
        float[] d = honest.delta();
        float[] forged = new float[d.length];
        switch (kind) {
            case SIGN_FLIP -> {
                for (int i = 0; i < d.length; i++) {
                    forged[i] = (float) (-parameter * d[i]);
                }
            }
            case SCALE -> {
                for (int i = 0; i < d.length; i++) {
                    forged[i] = (float) (parameter * d[i]);
                }
            }
            case RANDOM -> {
                for (int i = 0; i < d.length; i++) {
                    forged[i] = (float) (parameter * random.nextGaussian());
                }
            }
            case ZERO -> {
            }
        }
        return new ClientUpdate(honest.clientId(), forged, honest.examples(), honest.metrics());
    }
}
