package dev.fieldline.gateway.ingest;

import dev.fieldline.protocol.CommandResult;
import dev.fieldline.protocol.Event;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Status;
import dev.fieldline.protocol.Telemetry;
import java.time.Instant;
import java.util.Optional;

/**
 * An uplink message after decoding, with where and when it arrived: what the store persists and
 * what commit listeners (analytics, the command hub) see.
 */
public sealed interface Decoded {

    Transport transport();

    Instant receivedAt();

    String deviceId();

    MessageKind kind();

    /** The message's position in the device's stream; empty for status and unsequenced SenML packs. */
    Optional<Sequence> sequence();

    record TelemetryMessage(Telemetry telemetry, Transport transport, Instant receivedAt) implements Decoded {
        @Override
        public String deviceId() {
            return telemetry.deviceId();
        }

        @Override
        public MessageKind kind() {
            return MessageKind.TELEMETRY;
        }

        @Override
        public Optional<Sequence> sequence() {
            return telemetry.sequence();
        }
    }

    record EventMessage(Event event, Transport transport, Instant receivedAt) implements Decoded {
        @Override
        public String deviceId() {
            return event.deviceId();
        }

        @Override
        public MessageKind kind() {
            return MessageKind.EVENT;
        }

        @Override
        public Optional<Sequence> sequence() {
            return Optional.of(event.sequence());
        }
    }

    record StatusMessage(Status status, Transport transport, Instant receivedAt) implements Decoded {
        @Override
        public String deviceId() {
            return status.deviceId();
        }

        @Override
        public MessageKind kind() {
            return MessageKind.STATUS;
        }

        @Override
        public Optional<Sequence> sequence() {
            return Optional.empty();
        }
    }

    record ResultMessage(CommandResult result, Transport transport, Instant receivedAt) implements Decoded {
        @Override
        public String deviceId() {
            return result.deviceId();
        }

        @Override
        public MessageKind kind() {
            return MessageKind.COMMAND_RESULT;
        }

        @Override
        public Optional<Sequence> sequence() {
            return Optional.of(result.sequence());
        }
    }
}
