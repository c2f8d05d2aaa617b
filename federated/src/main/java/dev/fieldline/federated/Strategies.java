package dev.fieldline.federated;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strategies by spec: a name, optionally followed by {@code :key=value,key=value}, e.g. {@code fedavg},
 * {@code fedprox:mu=0.01}, {@code krum:f=2}. Unknown names and unknown, malformed or out-of-range
 * parameters are errors naming what is valid. Defaults follow Flower's where Flower has one
 * (docs/federated.md lists them).
 */
public final class Strategies {

    /** The registered names, in the order the docs list them ({@code trimmedavg} is an alias). */
    public static final List<String> NAMES = List.of("fedavg", "fedprox", "fedavgm", "fedadagrad", "fedadam",
            "fedyogi", "fedmedian", "fedtrimmedavg", "trimmedavg", "krum", "multikrum");

    private Strategies() {
    }

    public static Strategy create(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("empty strategy spec; known: " + String.join(", ", NAMES));
        }
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        Params p = new Params(name, colon < 0 ? "" : spec.substring(colon + 1));
        Strategy s = switch (name) {
            case "fedavg" -> new FedAvg((float) p.number("server_lr", 1, 0, false, 1e6, true));
            case "fedprox" -> new FedProx(p.required("mu", 0, true, 1e6, true, "fedprox:mu=0.01"));
            case "fedavgm" -> new FedAvgM((float) p.number("server_lr", 1, 0, false, 1e6, true),
                    (float) p.number("momentum", 0, 0, true, 1, false));
            case "fedadagrad" -> adaptive(FedOpt.Variant.ADAGRAD, p, 0.1, 0.0, 0.99, 1e-9);
            case "fedadam" -> adaptive(FedOpt.Variant.ADAM, p, 0.1, 0.9, 0.99, 1e-9);
            case "fedyogi" -> adaptive(FedOpt.Variant.YOGI, p, 0.01, 0.9, 0.99, 1e-3);
            case "fedmedian" -> new FedMedian();
            case "fedtrimmedavg", "trimmedavg" -> new FedTrimmedAvg(p.number("beta", 0.2, 0, true, 0.5, false));
            case "krum" -> Krum.krum(p.integer("f", 0, 0));
            case "multikrum" -> Krum.multiKrum(p.integer("f", 0, 0), p.integer("m", 0, 0));
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "'; known: "
                    + String.join(", ", NAMES));
        };
        p.checkAllUsed();
        return s;
    }

    private static Strategy adaptive(FedOpt.Variant variant, Params p, double eta, double beta1, double beta2,
            double tau) {
        float e = (float) p.number("eta", eta, 0, false, 1e6, true);
        float b1 = (float) p.number("beta_1", beta1, 0, true, 1, false);
        float b2 = variant == FedOpt.Variant.ADAGRAD ? 0f : (float) p.number("beta_2", beta2, 0, true, 1, false);
        float t = (float) p.number("tau", tau, 0, false, 1e6, true);
        return new FedOpt(variant, e, b1, b2, t);
    }

    /** The {@code key=value} parameters of a spec; reading marks a key used. */
    public static final class Params {
        private final String strategy;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final java.util.Set<String> used = new java.util.LinkedHashSet<>();

        public Params(String strategy, String text) {
            this.strategy = strategy;
            for (String part : text.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                int eq = part.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + part.trim()
                            + "' is not key=value");
                }
                String key = part.substring(0, eq).trim();
                if (values.put(key, part.substring(eq + 1).trim()) != null) {
                    throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + key + "' given twice");
                }
            }
        }

        public double number(String key, double fallback) {
            used.add(key);
            String v = values.get(key);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v);
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + key + "' must be a number, was '"
                        + v + "'");
            }
        }

        /**
         * A number in a range; the message of a value outside it names the range, e.g.
         * {@code strategy fedtrimmedavg: parameter 'beta' must be in [0, 0.5), was 0.7}.
         */
        public double number(String key, double fallback, double min, boolean minInclusive, double max,
                boolean maxInclusive) {
            double d = number(key, fallback);
            boolean ok = (minInclusive ? d >= min : d > min) && (maxInclusive ? d <= max : d < max);
            if (!ok) {
                throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + key + "' must be in "
                        + (minInclusive ? "[" : "(") + plain(min) + ", " + plain(max) + (maxInclusive ? "]" : ")")
                        + ", was " + values.get(key));
            }
            return d;
        }

        /** Like {@link #number(String, double, double, boolean, double, boolean)}, but the key must be given. */
        public double required(String key, double min, boolean minInclusive, double max, boolean maxInclusive,
                String example) {
            if (!values.containsKey(key)) {
                used.add(key);
                throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + key
                        + "' is required, e.g. " + example);
            }
            return number(key, 0, min, minInclusive, max, maxInclusive);
        }

        /** A whole number at least {@code min}. */
        public int integer(String key, int fallback, int min) {
            double d = number(key, fallback);
            if (d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("strategy " + strategy + ": parameter '" + key
                        + "' must be an integer >= " + min + ", was " + values.get(key));
            }
            return (int) d;
        }

        private static String plain(double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
        }

        public void checkAllUsed() {
            for (String key : values.keySet()) {
                if (!used.contains(key)) {
                    throw new IllegalArgumentException("strategy " + strategy + " has no parameter '" + key
                            + "'; " + (used.isEmpty() ? "it takes none" : "it takes " + String.join(", ", used)));
                }
            }
        }
    }
}
