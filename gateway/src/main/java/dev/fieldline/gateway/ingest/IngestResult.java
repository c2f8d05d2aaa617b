package dev.fieldline.gateway.ingest;

import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.Sequence;
import java.util.Optional;

/** What became of an uplink message. Only {@link Stored} and {@link Duplicate} mean "committed". */
public sealed interface IngestResult {

    /** Durably committed to the store. */
    record Stored(Optional<Sequence> sequence, int readings) implements IngestResult {
    }

    /** Already in the store (a redelivery); committed earlier, safe to acknowledge. */
    record Duplicate(Sequence sequence) implements IngestResult {
    }

    /** Refused: malformed, too large, wrong format... Counted per reason; never retried. */
    record Rejected(DecodeError reason, String message) implements IngestResult {
    }

    /** The gateway could not take it now (queue full, store unavailable); the sender should retry later. */
    record Unavailable(String message) implements IngestResult {
    }

    /** True when the message is durably in the store, so the sender may forget it. */
    default boolean committed() {
        return this instanceof Stored || this instanceof Duplicate;
    }
}
