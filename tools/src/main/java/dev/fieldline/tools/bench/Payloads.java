package dev.fieldline.tools.bench;

import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.cose.CoseSign1;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What a simulated device sends: sequenced SenML telemetry, optionally signed (COSE_Sign1, ES256) with the device's key. */
@FunctionalInterface
interface Payloads {

    byte[] payload(int device, long bootId, long seq);

    /** A reading's value: what device {@code device} reports in its message {@code seq}. */
    @FunctionalInterface
    interface Values {
        double value(int device, long seq);
    }

    /** Telemetry of {@code readings} readings per message, in {@code format}, with values between 20 and 30. */
    static Payloads telemetry(LoadShape shape, int readings, PayloadFormat format) {
        return telemetry(shape, readings, format, (device, seq) -> 20 + (seq % 100) / 10.0);
    }

    /** Telemetry of {@code readings} readings per message, in {@code format}, each reading with {@code values}' value. */
    static Payloads telemetry(LoadShape shape, int readings, PayloadFormat format, Values values) {
        if (readings < 1) {
            throw new IllegalArgumentException("readings must be >= 1, was " + readings);
        }
        SenmlCodec codec = new SenmlCodec();
        return (device, bootId, seq) -> {
            Instant now = Instant.now();
            List<Reading> rs = new ArrayList<>(readings);
            for (int i = 0; i < readings; i++) {
                rs.add(Reading.of(i == 0 ? "temperature" : "temperature" + i, "Cel", values.value(device, seq), now));
            }
            return codec.encode(new Telemetry(shape.deviceId(device), new Sequence(bootId, seq), rs), format);
        };
    }

    /** These payloads signed by each device with its own key ({@code keys[device]}), as the agent signs them. */
    default Payloads signedWith(KeyPair[] keys) {
        CoseSign1 cose = new CoseSign1();
        byte[][] kids = new byte[keys.length][];
        for (int d = 0; d < keys.length; d++) {
            kids[d] = KeyIds.of(keys[d].getPublic());
        }
        return (device, bootId, seq) -> cose.sign(payload(device, bootId, seq), kids[device], keys[device].getPrivate());
    }
}
