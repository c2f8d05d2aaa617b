package dev.fieldline.benchmarks;

/** The event Esper sees: one reading of one stream (a JavaBean, Esper's plainest event representation). */
public final class EsperReading {
    private final String key;
    private final double value;

    public EsperReading(String key, double value) {
        this.key = key;
        this.value = value;
    }

    public String getKey() {
        return key;
    }

    public double getValue() {
        return value;
    }
}
