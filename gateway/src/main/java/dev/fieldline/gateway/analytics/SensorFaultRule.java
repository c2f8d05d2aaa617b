package dev.fieldline.gateway.analytics;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Status;
import java.time.Clock;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises a WARNING alert when a status reports a sensor faulted that was not faulted before: one
 * alert per fault, none while the sensor stays faulted, a new one after it reported ok and faulted
 * again. A status without sensors (the MQTT last will) changes nothing. The alert's metric is the
 * sensor's name, its value the retries so far, its reading time when the fault began.
 *
 * <p>Memory: one entry per sensor faulted now. Seed it with the devices' stored statuses so that a
 * restarted gateway does not raise again for faults it already raised.
 */
public final class SensorFaultRule implements Analytics {
    /** The alerts' rule name. */
    public static final String RULE = "sensor_fault";
    private static final Logger log = LoggerFactory.getLogger(SensorFaultRule.class);

    private final AlertSink sink;
    private final Metrics metrics;
    private final Clock clock;
    private final Set<String> faulted = ConcurrentHashMap.newKeySet();

    public SensorFaultRule(AlertSink sink, Metrics metrics, Clock clock, Collection<Status> stored) {
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
        for (Status s : stored) {
            s.sensors().stream().filter(h -> h.state() == SensorHealth.State.FAULTED)
                    .forEach(h -> faulted.add(key(s.deviceId(), h)));
        }
    }

    @Override
    public void committed(Decoded message) {
        if (!(message instanceof Decoded.StatusMessage m)) {
            return;
        }
        String device = m.deviceId();
        for (SensorHealth h : m.status().sensors()) {
            if (h.state() == SensorHealth.State.OK) {
                faulted.remove(key(device, h));
            } else if (faulted.add(key(device, h))) {
                raise(device, h);
            }
        }
    }

    private static String key(String deviceId, SensorHealth h) {
        return deviceId + '\u0000' + h.name();
    }

    private void raise(String deviceId, SensorHealth h) {
        String reason = h.reason().isEmpty() ? "" : " (" + h.reason() + ")";
        String detail = h.message().isEmpty() ? "" : ": " + h.message();
        Alert alert = new Alert(deviceId, RULE, h.name(), h.retries(), 0, Severity.WARNING,
                "sensor " + h.name() + " faulted" + reason + detail, h.since(), clock.instant());
        sink.raise(alert).whenComplete((stored, error) -> {
            if (error != null) {
                metrics.increment("alerts_dropped_total", "rule", RULE);
                log.debug("sensor alert on {} {} not stored: {}", deviceId, h.name(), error.toString());
            } else {
                metrics.increment("alerts_raised_total", "rule", RULE, "severity", Severity.WARNING.code());
                log.debug("alert {} on {}: {}", stored.id(), deviceId, alert.message());
            }
        });
    }
}
