package dev.fieldline.analytics.detect;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A detector's parameters as given ({@code --param k=v}, a rule file), read with typed getters that
 * take the default when the parameter is absent. {@link #checkUsed} then refuses parameters the
 * detector does not know, so a typo is an error and not a silently ignored setting.
 */
public final class Params {
    private final String detector;
    private final Map<String, String> values;
    private final Set<String> read = new TreeSet<>();

    public Params(String detector, Map<String, String> values) {
        this.detector = detector;
        this.values = Map.copyOf(values);
    }

    public static Params none(String detector) {
        return new Params(detector, Map.of());
    }

    public String detector() {
        return detector;
    }

    public double decimal(String name, double dflt) {
        String v = raw(name);
        if (v == null) {
            return dflt;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(name, v, "a finite number");
        }
    }

    /** A number within [min, max]. */
    public double decimal(String name, double dflt, double min, double max) {
        double d = decimal(name, dflt);
        if (d < min || d > max) {
            throw bad(name, values.get(name), "a number in [" + min + ", " + max + "]");
        }
        return d;
    }

    /** An integer within [min, max]. */
    public int integer(String name, int dflt, int min, int max) {
        String v = raw(name);
        if (v == null) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new NumberFormatException();
            }
            return i;
        } catch (NumberFormatException e) {
            throw bad(name, v, "an integer in [" + min + ", " + max + "]");
        }
    }

    public boolean bool(String name, boolean dflt) {
        String v = raw(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(name, v, "true or false");
        };
    }

    public String text(String name, String dflt) {
        String v = raw(name);
        return v == null ? dflt : v;
    }

    /** @throws IllegalArgumentException naming every parameter given that the detector did not read, and the ones it takes */
    public void checkUsed(Set<String> known) {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(read);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("detector " + detector + " has no parameter " + String.join(", ", unknown)
                    + "; it takes " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))));
        }
    }

    private String raw(String name) {
        read.add(name);
        return values.get(name);
    }

    private IllegalArgumentException bad(String name, String value, String expected) {
        return new IllegalArgumentException("detector " + detector + ": parameter " + name + " must be " + expected
                + ", was '" + value + "'");
    }
}
