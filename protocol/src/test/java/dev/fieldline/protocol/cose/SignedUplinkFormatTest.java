package dev.fieldline.protocol.cose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Reading;
import dev.fieldline.protocol.SenmlCodec;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Telemetry;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How transports recognise a signed uplink: content format 18, media type application/cose, tag 18. */
class SignedUplinkFormatTest {

    @Test
    void coseContentFormatAndMediaTypeAreCborForSequencedUplinksOnly() {
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.TELEMETRY, 18)).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.EVENT, 18)).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.COMMAND_RESULT, 18)).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.STATUS, 18)).isEmpty();
        assertThat(PayloadFormat.fromMediaType(MessageKind.TELEMETRY, PayloadFormat.COSE_SIGN1_MEDIA_TYPE))
                .contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromMediaType(MessageKind.STATUS, PayloadFormat.COSE_SIGN1_MEDIA_TYPE)).isEmpty();
    }

    @Test
    void signedEnvelopesAreToldApartFromBarePacks() {
        KeyPair keys = CoseKeys.generate();
        byte[] pack = new SenmlCodec().encode(new Telemetry("dev-1", new Sequence(1, 1),
                List.of(Reading.of("a", "Cel", 1, Instant.now()), Reading.of("b", "Cel", 2, Instant.now()),
                        Reading.of("c", "Cel", 3, Instant.now()), Reading.of("d", "Cel", 4, Instant.now()))),
                PayloadFormat.CBOR);
        byte[] signed = new CoseSign1().sign(pack, new byte[16], keys.getPrivate());
        assertThat(pack[0] & 0xff).as("a four-record pack is also a 4-element array").isEqualTo(0x84);
        assertThat(CoseSign1.looksSigned(pack)).isFalse();
        assertThat(CoseSign1.looksSigned(signed)).isTrue();
        byte[] untagged = java.util.Arrays.copyOfRange(signed, 1, signed.length);
        assertThat(CoseSign1.looksSigned(untagged)).isTrue();
        assertThat(CoseSign1.looksSigned(new byte[0])).isFalse();
        assertThat(PayloadFormat.sniff(signed)).contains(PayloadFormat.CBOR);
    }
}
