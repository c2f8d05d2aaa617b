package dev.fieldline.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every message kind survives encode then decode in both formats. */
class RoundTripTest {
    private static final Instant T = Instant.parse("2026-03-01T12:00:00.250Z");
    private final SenmlCodec senml = new SenmlCodec(DecodeLimits.DEFAULT, Clock.fixed(T, ZoneOffset.UTC));
    private final MessageCodec messages = new MessageCodec();

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void telemetryWithEveryValueTypeSumsUnitsAndTimes(PayloadFormat format) {
        Telemetry t = new Telemetry("dev-1", new Sequence(7, 123_456_789_012L), List.of(
                Reading.of("temp", "Cel", -3.25, T),
                Reading.of("relay/1", "", new Value.Bool(true), T.plusMillis(1)),
                Reading.of("label", "", new Value.Text("Machine Room \u00e9\u4e2d \"quoted\""), T.plusSeconds(60)),
                Reading.of("raw", "", new Value.Data(new byte[] {0, 1, (byte) 0xfe, (byte) 0xff, 0x7f}), T.minusSeconds(3600)),
                new Reading("energy", "kWh", Optional.of(new Value.Num(0.125)), OptionalDouble.of(1234.5), T.plusMillis(1500)),
                new Reading("flow", "l", Optional.empty(), OptionalDouble.of(42), T.plusMillis(1500)),
                Reading.of("big", "B", 1.0e15, T.plusNanos(3_000)),
                Reading.of("empty", "", new Value.Text(""), T)));

        assertThat(senml.decodeTelemetry("dev-1", senml.encode(t, format), format)).isEqualTo(t);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void telemetryWithoutSequenceDecodesWithoutSequence(PayloadFormat format) {
        Telemetry t = new Telemetry("dev-1", Optional.empty(), List.of(Reading.of("temp", "Cel", 20, T)));

        Telemetry back = senml.decodeTelemetry("dev-1", senml.encode(t, format), format);

        assertThat(back).isEqualTo(t);
        assertThat(back.sequence()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void genericDecodeKeepsTheFullNameAndTheSequence(PayloadFormat format) {
        Telemetry t = new Telemetry("dev-1", new Sequence(0, 1), List.of(Reading.of("temp", "Cel", 20, T)));

        SenmlCodec.Pack pack = senml.decode(senml.encode(t, format), format);

        assertThat(pack.sequence()).contains(new Sequence(0, 1));
        assertThat(pack.readings()).extracting(Reading::name).containsExactly("urn:dev:fl:dev-1:temp");
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void event(PayloadFormat format) {
        Event e = new Event("dev-1", new Sequence(2, 9), T, "inference", Severity.CRITICAL, "person_detect",
                "person at the door", Map.of("label", new Value.Text("person"), "confidence", new Value.Num(0.93),
                        "latched", new Value.Bool(true)));
        Event bare = new Event("dev-1", new Sequence(2, 10), T, "notice", Severity.INFO, "boot", "", Map.of());

        assertThat(messages.decodeEvent("dev-1", messages.encode(e, format), format)).isEqualTo(e);
        assertThat(messages.decodeEvent("dev-1", messages.encode(bare, format), format)).isEqualTo(bare);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void status(PayloadFormat format) {
        Status online = new Status("dev-1", 4, T, DeviceState.ONLINE, Duration.ofMillis(86_400_123), 12_345_678,
                99, Map.of("sent", 10L, "failed", 0L, "reconnects", 3L));
        Status lastWill = new Status("dev-1", 4, T, DeviceState.OFFLINE, Duration.ZERO, 0, 0, Map.of());

        assertThat(messages.decodeStatus("dev-1", messages.encode(online, format), format)).isEqualTo(online);
        assertThat(messages.decodeStatus("dev-1", messages.encode(lastWill, format), format)).isEqualTo(lastWill);

        Status withSensors = new Status("dev-1", 4, T, DeviceState.ONLINE, Duration.ofSeconds(60), 1, 2, Map.of(),
                java.util.List.of(SensorHealth.ok("air", T),
                        new SensorHealth("soil", SensorHealth.State.FAULTED, "absent", "i2c1 0x48 does not answer",
                                T.plusMillis(1500), 3)));
        assertThat(messages.decodeStatus("dev-1", messages.encode(withSensors, format), format)).isEqualTo(withSensors);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void command(PayloadFormat format) {
        Command c = new Command("0123456789abcdef0123456789abcdef", "interval",
                Map.of("seconds", new Value.Num(5), "unit", new Value.Text("s"), "persist", new Value.Bool(false)), T);
        Command noArgs = new Command("x", "reboot", Map.of(), T);

        assertThat(messages.decodeCommand(messages.encode(c, format), format)).isEqualTo(c);
        assertThat(messages.decodeCommand(messages.encode(noArgs, format), format)).isEqualTo(noArgs);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void commandResult(PayloadFormat format) {
        CommandResult ok = new CommandResult("dev-1", new Sequence(1, 1), T, "c-1", true, "");
        CommandResult failed = new CommandResult("dev-1", new Sequence(1, 2), T, "c-2", false, "no such actuator: led9");

        assertThat(messages.decodeCommandResult("dev-1", messages.encode(ok, format), format)).isEqualTo(ok);
        assertThat(messages.decodeCommandResult("dev-1", messages.encode(failed, format), format)).isEqualTo(failed);
    }
}
