package dev.fieldline.gateway.analytics;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.Telemetry;
import java.time.Clock;
import java.util.OptionalDouble;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed's first rule: every numeric reading above the threshold (of a watched metric) raises an
 * alert, stored through the {@link AlertSink}. Stateless: one alert per reading, no hysteresis
 * (the rule engine brings that). Counts {@code alerts_raised_total{rule,severity}} when the alert is
 * stored and {@code alerts_dropped_total{rule}} when the store refused it.
 */
public final class ThresholdRule implements Analytics {
    public static final String RULE = "threshold";
    private static final Logger log = LoggerFactory.getLogger(ThresholdRule.class);

    private final ThresholdConfig config;
    private final AlertSink sink;
    private final Metrics metrics;
    private final Clock clock;

    public ThresholdRule(ThresholdConfig config, AlertSink sink, Metrics metrics, Clock clock) {
        this.config = config;
        this.sink = sink;
        this.metrics = metrics;
        this.clock = clock;
    }

    public ThresholdConfig config() {
        return config;
    }

    @Override
    public void committed(Decoded message) {
        if (!(message instanceof Decoded.TelemetryMessage m)) {
            return;
        }
        Telemetry t = m.telemetry();
        for (Reading r : t.readings()) {
            OptionalDouble v = r.number();
            if (v.isPresent() && v.getAsDouble() > config.threshold() && config.watches(r.name())) {
                raise(t.deviceId(), r, v.getAsDouble());
            }
        }
    }

    private void raise(String deviceId, Reading r, double value) {
        String unit = r.unit().isEmpty() ? "" : " " + r.unit();
        Alert alert = new Alert(deviceId, RULE, r.name(), value, config.threshold(), config.severity(),
                r.name() + " is " + value + unit + ", above " + config.threshold() + unit, r.time(), clock.instant());
        sink.raise(alert).whenComplete((stored, error) -> {
            if (error != null) {
                metrics.increment("alerts_dropped_total", "rule", RULE);
                log.debug("alert on {} {} not stored: {}", deviceId, r.name(), error.toString());
            } else {
                metrics.increment("alerts_raised_total", "rule", RULE, "severity", config.severity().code());
                log.debug("alert {} on {}: {}", stored.id(), deviceId, alert.message());
            }
        });
    }
}
