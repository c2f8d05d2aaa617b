package dev.fieldline.protocol;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The example messages of docs/protocol.md, from device {@code gh-7} in boot 3. */
final class Samples {
    static final String DEVICE = "gh-7";
    /** 2023-11-14T22:13:20Z. */
    static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

    static final Telemetry TELEMETRY = new Telemetry(DEVICE, new Sequence(3, 42), List.of(
            Reading.of("temp", "Cel", 21.5, T),
            Reading.of("hum", "%RH", 48, T),
            Reading.of("temp", "Cel", 21.75, T.plusSeconds(10)),
            Reading.of("door", "", new Value.Bool(false), T.plusSeconds(10))));

    static final Event EVENT = new Event(DEVICE, new Sequence(3, 43), T.plusSeconds(12), "alert", Severity.WARNING,
            "temp", "temp above 21.6", Map.of("threshold", new Value.Num(21.6)));

    static final Status STATUS = new Status(DEVICE, 3, T.plusSeconds(15), DeviceState.ONLINE,
            Duration.ofMillis(125_500), 1_048_576, 812, Map.of("sent", 44L, "reconnects", 1L));

    static final Command COMMAND = new Command("c-0007", "led", Map.of("on", new Value.Bool(true)), T.plusSeconds(20));

    static final CommandResult RESULT = new CommandResult(DEVICE, new Sequence(3, 44), T.plusSeconds(21), "c-0007", true, "");

    /** Telemetry 42 not (yet) committed, the event and the result after it committed. */
    static final Ack ACK = new Ack(DEVICE, 3, 41, List.of(new Ack.Range(43, 44)));

    private Samples() {
    }
}
