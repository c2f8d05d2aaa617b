package dev.fieldline.federated;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Strategies by spec: a name, optionally followed by {@code :key=value,key=value}, e.g. {@code fedavg},
 * {@code fedprox:mu=0.01}. Unknown names and unknown or malformed parameters are errors naming what is
 * valid.
 */
public final class Strategies {

    private Strategies() {
    }

    public static Strategy create(String spec) {
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(java.util.Locale.ROOT);
        Params p = new Params(name, colon < 0 ? "" : spec.substring(colon + 1));
        Strategy s = switch (name) {
            case "fedavg" -> new FedAvg((float) p.number("server_lr", 1));
            default -> throw new IllegalArgumentException("unknown strategy '" + name + "'; known: fedavg");
        };
        p.checkAllUsed();
        return s;
    }

    /** The {@code key=value} parameters of a spec; reading marks a key used. */
    public static final class Params {
        private final String strategy;
        private final Map<String, String> values = new LinkedHashMap<>();
        private final java.util.Set<String> used = new java.util.HashSet<>();

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

        public void checkAllUsed() {
            for (String key : values.keySet()) {
                if (!used.contains(key)) {
                    throw new IllegalArgumentException("strategy " + strategy + " has no parameter '" + key
                            + "'; it takes " + used);
                }
            }
        }
    }
}
