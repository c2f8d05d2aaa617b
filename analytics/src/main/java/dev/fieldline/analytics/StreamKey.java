package dev.fieldline.analytics;

/** One stream: a device's metric, e.g. {@code (greenhouse-3, temperature)}. */
public record StreamKey(String deviceId, String metric) {
    public StreamKey {
        if (deviceId == null || deviceId.isEmpty() || metric == null || metric.isEmpty()) {
            throw new IllegalArgumentException("deviceId and metric must not be empty");
        }
    }

    @Override
    public String toString() {
        return deviceId + "/" + metric;
    }
}
