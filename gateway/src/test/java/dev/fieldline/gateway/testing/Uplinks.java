package dev.fieldline.gateway.testing;

import dev.fieldline.gateway.ingest.Transport;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.DeviceState;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Telemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds uplink messages the way an agent encodes them. */
public final class Uplinks {
    public static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final SenmlCodec SENML = new SenmlCodec();
    private static final MessageCodec MESSAGES = new MessageCodec();

    private Uplinks() {
    }

    public static byte[] telemetryBytes(String device, Optional<Sequence> seq, PayloadFormat format, Reading... readings) {
        return SENML.encode(new Telemetry(device, seq, List.of(readings)), format);
    }

    /** One sequenced temperature reading at T0 + seq seconds. */
    public static Uplink telemetry(Transport transport, String device, long boot, long seq, double celsius) {
        Reading r = Reading.of("temperature", "Cel", celsius, T0.plusSeconds(seq));
        return new Uplink(transport, device, MessageKind.TELEMETRY, PayloadFormat.CBOR,
                telemetryBytes(device, Optional.of(new Sequence(boot, seq)), PayloadFormat.CBOR, r), Instant.now());
    }

    public static Uplink status(Transport transport, String device, DeviceState state) {
        Status s = new Status(device, 3, T0, state, Duration.ofSeconds(42), 1_000_000, 17, Map.of("sent", 5L));
        return new Uplink(transport, device, MessageKind.STATUS, PayloadFormat.JSON,
                MESSAGES.encode(s, PayloadFormat.JSON), Instant.now());
    }

    public static Uplink commandResult(String device, long boot, long seq, String commandId, boolean ok, String message) {
        CommandResult r = new CommandResult(device, new Sequence(boot, seq), T0, commandId, ok, message);
        return new Uplink(Transport.MQTT, device, MessageKind.COMMAND_RESULT, PayloadFormat.CBOR,
                MESSAGES.encode(r, PayloadFormat.CBOR), Instant.now());
    }
}
