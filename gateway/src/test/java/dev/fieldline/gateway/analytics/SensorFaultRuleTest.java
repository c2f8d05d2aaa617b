package dev.fieldline.gateway.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.gateway.ingest.Decoded;
import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Severity;
import dev.fieldline.protocol.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SensorFaultRuleTest {
    private static final Instant T = Instant.parse("2025-03-01T12:00:00Z");
    private final Metrics metrics = new Metrics();
    private final RecordingAlertSink sink = new RecordingAlertSink();
    private final Clock clock = Clock.fixed(T.plusSeconds(100), ZoneOffset.UTC);

    private static Status status(String device, SensorHealth... sensors) {
        return new Status(device, 1, T, DeviceState.ONLINE, Duration.ofSeconds(10), 0, 0, Map.of(), List.of(sensors));
    }

    private static Decoded message(Status s) {
        return new Decoded.StatusMessage(s, Transport.MQTT, T);
    }

    private static SensorHealth faulted(String name, long retries) {
        return new SensorHealth(name, SensorHealth.State.FAULTED, "timeout", "no answer in 50 ms", T.plusSeconds(1), retries);
    }

    @Test
    void aSensorGoingFromOkToFaultedRaisesOneWarningUntilItRecovers() {
        SensorFaultRule rule = new SensorFaultRule(sink, metrics, clock, List.of());

        rule.committed(message(status("dev-1", SensorHealth.ok("temp", T), SensorHealth.ok("door", T))));
        assertThat(sink.raised()).isEmpty();

        rule.committed(message(status("dev-1", faulted("temp", 1), SensorHealth.ok("door", T))));
        rule.committed(message(status("dev-1", faulted("temp", 4), SensorHealth.ok("door", T))));
        rule.committed(message(new Status("dev-1", 1, T, DeviceState.OFFLINE, Duration.ZERO, 0, 0, Map.of())));
        rule.committed(message(status("dev-1", faulted("temp", 9))));
        rule.committed(message(status("dev-2", faulted("temp", 0))));

        assertThat(sink.raised()).hasSize(2);
        Alert first = sink.raised().get(0);
        assertThat(first.deviceId()).isEqualTo("dev-1");
        assertThat(first.rule()).isEqualTo(SensorFaultRule.RULE);
        assertThat(first.metric()).isEqualTo("temp");
        assertThat(first.value()).isEqualTo(1);
        assertThat(first.severity()).isEqualTo(Severity.WARNING);
        assertThat(first.message()).isEqualTo("sensor temp faulted (timeout): no answer in 50 ms");
        assertThat(first.readingTime()).isEqualTo(T.plusSeconds(1));
        assertThat(first.createdAt()).isEqualTo(T.plusSeconds(100));
        assertThat(sink.raised().get(1).deviceId()).isEqualTo("dev-2");

        rule.committed(message(status("dev-1", SensorHealth.ok("temp", T.plusSeconds(20)))));
        rule.committed(message(status("dev-1", faulted("temp", 0))));
        assertThat(sink.raised()).hasSize(3);
        assertThat(metrics.get("alerts_raised_total", "rule", SensorFaultRule.RULE, "severity", "warning")).isEqualTo(3);
    }

    @Test
    void faultsAlreadyStoredBeforeARestartAreNotRaisedAgain() {
        SensorFaultRule rule = new SensorFaultRule(sink, metrics, clock, List.of(status("dev-1", faulted("temp", 2))));

        rule.committed(message(status("dev-1", faulted("temp", 3), faulted("door", 0))));

        assertThat(sink.raised()).extracting(Alert::metric).containsExactly("door");
    }
}
