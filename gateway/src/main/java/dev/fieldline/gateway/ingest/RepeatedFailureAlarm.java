package dev.fieldline.gateway.ingest;

import dev.fieldline.gateway.analytics.Alert;
import dev.fieldline.gateway.analytics.AlertSink;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises a CRITICAL alert when one device's messages are refused for provenance reasons (bad
 * signature, unknown or disabled key, wrong device, replay, unsigned) {@code threshold} times within
 * {@code window}; at most one alert per device per window. Memory: one small deque per device that
 * failed recently.
 */
public final class RepeatedFailureAlarm {
    private static final Logger log = LoggerFactory.getLogger(RepeatedFailureAlarm.class);
    /** The alerts' rule name. */
    public static final String RULE = "provenance";

    private final AlertSink sink;
    private final Metrics metrics;
    private final Clock clock;
    private final int threshold;
    private final Duration window;
    private final ConcurrentHashMap<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Instant> lastAlert = new ConcurrentHashMap<>();

    public RepeatedFailureAlarm(AlertSink sink, Metrics metrics, Clock clock, int threshold, Duration window) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be >= 1, was " + threshold);
        }
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        this.threshold = threshold;
        this.window = window;
    }

    /** True for the refusal reasons this alarm watches. */
    public static boolean watches(DecodeError reason) {
        return switch (reason) {
            case BAD_SIGNATURE, UNKNOWN_KEY, KEY_DISABLED, WRONG_DEVICE, REPLAY, UNSIGNED, UNSUPPORTED_ALGORITHM -> true;
            default -> false;
        };
    }

    public void failed(String deviceId, DecodeError reason) {
        Instant now = clock.instant();
        Instant horizon = now.minus(window);
        int count;
        Deque<Instant> times = failures.computeIfAbsent(deviceId, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst().isBefore(horizon)) {
                times.removeFirst();
            }
            count = times.size();
        }
        if (count < threshold) {
            return;
        }
        Instant previous = lastAlert.get(deviceId);
        if (previous != null && previous.isAfter(horizon)) {
            return;
        }
        lastAlert.put(deviceId, now);
        String message = count + " messages from " + deviceId + " refused in " + window.toSeconds()
                + " s for provenance (last: " + reason.code() + ")";
        sink.raise(new Alert(deviceId, RULE, reason.code(), count, threshold, Severity.CRITICAL, message, now, now))
                .whenComplete((stored, error) -> {
                    if (error == null) {
                        metrics.increment("alerts_raised_total", "rule", RULE, "severity", Severity.CRITICAL.code());
                    } else {
                        metrics.increment("alerts_dropped_total");
                        log.warn("could not store provenance alert for {}: {}", deviceId, error.toString());
                    }
                });
    }
}
