package dev.fieldline.gateway.registry;

import dev.fieldline.gateway.ingest.Provenance;
import dev.fieldline.gateway.ingest.Uplink;
import dev.fieldline.protocol.DecodeError;
import dev.fieldline.protocol.DecodeException;
import dev.fieldline.protocol.DecodeLimits;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.cose.CoseSign1;
import dev.fieldline.protocol.cose.SignedMessage;

/**
 * Provenance backed by the device registry: a signed uplink (COSE_Sign1, ES256) must name, by its
 * kid, the enrolled key of an enabled device, verify under that key, and arrive for that same
 * device; an unsigned telemetry, event or command result is refused when signatures are required
 * (secure mode). Status is never required to be signed: it is current state, not history, and the
 * MQTT last will is composed at connect time. Lookups hit the registry's in-memory cache only.
 */
public final class SignatureCheck implements Provenance {
    private final DeviceRegistry registry;
    private final CoseSign1 cose;
    private final boolean requireSigned;

    public SignatureCheck(DeviceRegistry registry, DecodeLimits limits, boolean requireSigned) {
        this.registry = registry;
        this.cose = new CoseSign1(limits);
        this.requireSigned = requireSigned;
    }

    @Override
    public Checked check(Uplink uplink) {
        byte[] payload = uplink.payload();
        if (uplink.format() == PayloadFormat.CBOR && CoseSign1.looksSigned(payload)) {
            SignedMessage message = cose.decode(payload);
            DeviceKey key = registry.keyByKid(message.kid()).filter(DeviceKey::enrolled).orElseThrow(() ->
                    new DecodeException(DecodeError.UNKNOWN_KEY, "no enrolled key has this kid"));
            if (!key.enabled()) {
                throw new DecodeException(DecodeError.KEY_DISABLED, "the key belongs to disabled device " + key.deviceId());
            }
            cose.verify(message, key.publicKey().orElseThrow());
            if (!key.deviceId().equals(uplink.deviceId())) {
                throw new DecodeException(DecodeError.WRONG_DEVICE,
                        "signed by device " + key.deviceId() + " but sent for device " + uplink.deviceId());
            }
            return new Checked(message.payload(), true);
        }
        if (requireSigned && uplink.kind() != MessageKind.STATUS) {
            throw new DecodeException(DecodeError.UNSIGNED,
                    "this gateway requires " + uplink.kind().suffix() + " messages signed with the device key (COSE_Sign1)");
        }
        return new Checked(payload, false);
    }
}
