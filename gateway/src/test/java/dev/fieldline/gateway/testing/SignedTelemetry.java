package dev.fieldline.gateway.testing;

import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import dev.fieldline.protocol.cose.CoseSign1;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Telemetry as secure mode wants it: SenML CBOR with a fresh sequence number, in a COSE_Sign1 by a device key. */
public final class SignedTelemetry {
    /** CoAP Content-Format of COSE_Sign1. */
    public static final int COSE_SIGN1 = 18;
    private static final AtomicLong SEQ = new AtomicLong();

    private SignedTelemetry() {
    }

    /** Signed with the key of {@code signer}, claiming to come from {@code device}. */
    public static byte[] of(String device, KeyPair signer) {
        byte[] pack = new SenmlCodec().encode(new Telemetry(device, Optional.of(new Sequence(1, SEQ.incrementAndGet())),
                List.of(Reading.of("temp", "Cel", 21.5, Instant.now()))), PayloadFormat.CBOR);
        return new CoseSign1().sign(pack, KeyIds.of(signer.getPublic()), signer.getPrivate());
    }
}
