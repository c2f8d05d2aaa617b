package dev.fieldline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SensorHealth;
import dev.fieldline.protocol.Value;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SupervisedSensorTest {
    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final ReconnectPolicy RETRY = new ReconnectPolicy(Duration.ofSeconds(1), Duration.ofSeconds(8), 0);

    /** Reads 21.5 unless a failure is queued; counts reads and re-initialisations. */
    static final class Scripted implements SupervisedSensor.Source {
        final Deque<RuntimeException> failures = new ArrayDeque<>();
        int reads;
        int reinits;

        @Override
        public List<String> names() {
            return List.of("air/temperature", "air/humidity");
        }

        @Override
        public List<String> units() {
            return List.of("Cel", "%RH");
        }

        @Override
        public void read(Value[] values) {
            reads++;
            RuntimeException e = failures.poll();
            if (e != null) {
                throw e;
            }
            values[0] = new Value.Num(21.5);
            values[1] = new Value.Num(40);
        }

        @Override
        public void reinitialise() {
            reinits++;
        }
    }

    private static SupervisedSensor sensor(Scripted s, Optional<Duration> interval) {
        return new SupervisedSensor("air", "bme280", s, interval, RETRY, () -> 0.5, T0);
    }

    @Test
    void aFailingSensorIsFaultedRetriedWithBackoffAndRecovers() {
        Scripted s = new Scripted();
        SupervisedSensor sensor = sensor(s, Optional.empty());
        assertThat(sensor.sample(T0, TICK)).extracting(Reading::name).containsExactly("air/temperature", "air/humidity");
        assertThat(sensor.health()).isEqualTo(SensorHealth.ok("air", T0));

        s.failures.add(new HalException(HalException.Reason.ABSENT, "i2c1 0x76 does not answer"));
        s.failures.add(new HalException(HalException.Reason.NACK, "i2c1 0x76 NACK"));
        s.failures.add(new HalException(HalException.Reason.NACK, "i2c1 0x76 NACK"));
        Instant t1 = T0.plusSeconds(1);
        assertThat(sensor.sample(t1, TICK)).isEmpty();
        assertThat(sensor.health()).isEqualTo(new SensorHealth("air", SensorHealth.State.FAULTED, "absent",
                "i2c1 0x76 does not answer", t1, 0));
        assertThat(sensor.nextAttempt()).contains(t1.plusSeconds(1));

        // not due: the source is left alone
        int reads = s.reads;
        assertThat(sensor.sample(t1.plusMillis(500), TICK)).isEmpty();
        assertThat(s.reads).isEqualTo(reads);

        // retry 1 at +1 s fails (reinitialised first), retry 2 waits 2 s, retry 3 waits 4 s
        assertThat(sensor.sample(t1.plusSeconds(1), TICK)).isEmpty();
        assertThat(s.reinits).isEqualTo(1);
        assertThat(sensor.health().retries()).isEqualTo(1);
        assertThat(sensor.health().reason()).isEqualTo("nack");
        assertThat(sensor.health().since()).isEqualTo(t1);
        assertThat(sensor.nextAttempt()).contains(t1.plusSeconds(3));
        assertThat(sensor.sample(t1.plusSeconds(3), TICK)).isEmpty();
        assertThat(sensor.nextAttempt()).contains(t1.plusSeconds(7));

        Instant back = t1.plusSeconds(7);
        assertThat(sensor.sample(back, TICK)).hasSize(2);
        assertThat(s.reinits).isEqualTo(3);
        assertThat(sensor.health()).isEqualTo(SensorHealth.ok("air", back));
        assertThat(sensor.faults()).isEqualTo(1);
        assertThat(sensor.totalRetries()).isEqualTo(3);
        assertThat(sensor.isFaulted()).isFalse();
    }

    @Test
    void theBackoffIsCappedAtItsMaximum() {
        Scripted s = new Scripted();
        SupervisedSensor sensor = sensor(s, Optional.empty());
        for (int i = 0; i < 10; i++) {
            s.failures.add(new HalException(HalException.Reason.TIMEOUT, "no answer"));
        }
        Instant t = T0;
        sensor.sample(t, TICK);
        for (int i = 0; i < 6; i++) {
            t = sensor.nextAttempt().orElseThrow();
            sensor.sample(t, TICK);
        }
        assertThat(Duration.between(t, sensor.nextAttempt().orElseThrow())).isEqualTo(Duration.ofSeconds(8));
        assertThat(sensor.health().reason()).isEqualTo("timeout");
    }

    @Test
    void anUnexpectedExceptionIsAnIoFaultNotACrash() {
        Scripted s = new Scripted();
        SupervisedSensor sensor = sensor(s, Optional.empty());
        s.failures.add(new IllegalStateException("driver bug"));
        assertThat(sensor.sample(T0, TICK)).isEmpty();
        assertThat(sensor.health().state()).isEqualTo(SensorHealth.State.FAULTED);
        assertThat(sensor.health().reason()).isEqualTo("io");
        assertThat(sensor.health().message()).isEqualTo("driver bug");
    }

    @Test
    void aSensorWithItsOwnIntervalIsReadOnlyWhenDue() {
        Scripted s = new Scripted();
        SupervisedSensor sensor = sensor(s, Optional.of(Duration.ofSeconds(10)));
        int taken = 0;
        for (int i = 0; i <= 30; i++) {
            // the core thread's ticks wander a little around the second
            Instant tick = T0.plusSeconds(i).plusMillis(i % 2 == 0 ? 3 : -3);
            if (!sensor.sample(tick, TICK).isEmpty()) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(4); // 0, 10, 20, 30 s
        assertThat(s.reads).isEqualTo(4);
    }
}
