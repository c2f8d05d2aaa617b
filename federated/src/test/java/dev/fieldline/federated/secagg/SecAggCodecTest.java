package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.federated.secagg.SecAggFormatException.Defect;
import dev.fieldline.federated.secagg.SecAggMessage.MaskedInput;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecAggCodecTest {
    private final SecAggCodec codec = new SecAggCodec(new SecAggCodec.Limits(10, 100));

    /** Every message of a real session, with 3 clients. */
    static List<SecAggMessage> session() {
        Quantisation q = new Quantisation(1, 16, 16, 16, Quantisation.Rounding.NEAREST);
        Session s = new Session(3, 2, 4, q, Seeded.random(41)).advertiseAndShare();
        List<long[]> x = List.of(new long[] {1, 2, 3, 4}, new long[] {5, 6, 7, 8}, new long[] {9, 10, 11, 12});
        s.mask(x, List.of(1, 2)).unmask(List.of(1, 2));
        List<SecAggMessage> all = new ArrayList<>();
        all.add(new SecAggMessage.Setup(s.params));
        all.add(new SecAggMessage.AdvertiseKeys(77, 1, s.directory.keys().get(0).cPublic(),
                s.directory.keys().get(0).sPublic()));
        all.add(s.directory);
        all.addAll(s.sent.values());
        all.addAll(s.deliveries.values());
        all.addAll(s.masked.values());
        all.add(s.request);
        all.addAll(s.responses.values());
        return all;
    }

    @Test
    void everyMessageEncodesCanonically() {
        for (SecAggMessage m : session()) {
            byte[] bytes = codec.encode(m);
            SecAggMessage back = codec.decode(bytes);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            assertThat(codec.encode(back)).isEqualTo(bytes);
            if (m instanceof MaskedInput mi) {
                assertThat(((MaskedInput) back).masked()).isEqualTo(mi.masked());
            }
        }
    }

    @Test
    void scriptedBytesOfAnUnmaskRequestAndAMaskedInput() {
        byte[] request = codec.encode(new UnmaskRequest(0x0102030405060708L, List.of(1, 3), List.of(2)));
        assertThat(HexFormat.of().formatHex(request)).isEqualTo("01060102030405060708" + "000200010003" + "00010002");
        byte[] masked = codec.encode(new MaskedInput(1, 2, 24, new long[] {0x010203, 0xfffffe}));
        assertThat(HexFormat.of().formatHex(masked)).isEqualTo("01050000000000000001" + "0002" + "18" + "00000002"
                + "030201" + "feffff");
    }

    @Test
    void setupCarriesTheParametersAndRefusesInconsistentOnes() {
        SecAggParams p = SecAggConfig.DEFAULT.params(42, 10, 44_426);
        SecAggCodec big = new SecAggCodec();
        byte[] bytes = big.encode(new SecAggMessage.Setup(p));
        assertThat(bytes).hasSize(44);
        assertThat(((SecAggMessage.Setup) big.decode(bytes)).params()).isEqualTo(p);
        byte[] tooLowThreshold = bytes.clone();
        tooLowThreshold[13] = 1; // t = 1
        assertThatThrownBy(() -> big.decode(tooLowThreshold)).isInstanceOfSatisfying(SecAggFormatException.class,
                e -> assertThat(e.defect()).isEqualTo(Defect.VALUE)).hasMessageContaining("threshold must be in 2..clients");
        byte[] wraps = bytes.clone();
        wraps[42] = 24; // 24 bits cannot hold the sum
        assertThatThrownBy(() -> big.decode(wraps)).isInstanceOfSatisfying(SecAggFormatException.class,
                e -> assertThat(e.defect()).isEqualTo(Defect.VALUE)).hasMessageContaining("can wrap mod 2^24");
        byte[] nan = bytes.clone();
        Arrays.fill(nan, 18, 26, (byte) 0xff); // clip = NaN
        assertThatThrownBy(() -> big.decode(nan)).isInstanceOfSatisfying(SecAggFormatException.class,
                e -> assertThat(e.defect()).isEqualTo(Defect.VALUE)).hasMessageContaining("clip must be positive");
    }

    private void refused(byte[] bytes, Defect defect, String message) {
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOfSatisfying(SecAggFormatException.class, e -> {
                    assertThat(e.defect()).isEqualTo(defect);
                    assertThat(e.reason()).isEqualTo(SecAggException.Reason.MALFORMED);
                })
                .hasMessageContaining(message);
    }

    @Test
    void malformedInputsAreRefusedWithTheirDefect() {
        HexFormat hex = HexFormat.of();
        byte[] request = codec.encode(new UnmaskRequest(1, List.of(1, 3), List.of(2)));
        refused(new byte[0], Defect.TRUNCATED, "short");
        refused(Arrays.copyOf(request, request.length - 1), Defect.TRUNCATED, "at byte 18");
        refused(Arrays.copyOf(request, request.length + 1), Defect.TRAILING, "1 bytes after");
        refused(hex.parseHex("02060000000000000001"), Defect.VERSION, "format version 2");
        refused(hex.parseHex("01090000000000000001"), Defect.TYPE, "unknown message type 9");
        refused(hex.parseHex("01060000000000000001" + "000200030001" + "0000"), Defect.ORDER, "client index 1 after 3");
        refused(hex.parseHex("01060000000000000001" + "000200000001" + "0000"), Defect.VALUE, "client index 0");
        refused(hex.parseHex("01060000000000000001" + "0011"), Defect.TOO_LARGE, "list of 17 clients");
        refused(hex.parseHex("01060000000000000001" + "0001000b" + "0000"), Defect.TOO_LARGE, "client index 11");
        refused(hex.parseHex("01050000000000000001" + "0001" + "0c"), Defect.VALUE, "bit width 12");
        refused(hex.parseHex("01050000000000000001" + "0001" + "08" + "00000065"), Defect.TOO_LARGE,
                "vector of 101 coordinates");
        refused(new byte[codec.limits().maxBytes() + 1], Defect.TOO_LARGE, "above the limit");
        // a share value not below the prime 2^256 + 297
        String share = "01" + "00".repeat(30) + "0129";
        refused(hex.parseHex("01070000000000000001" + "0001" + "0001" + "0001" + "01" + share), Defect.VALUE,
                "not below the prime");
        refused(hex.parseHex("01070000000000000001" + "0001" + "0001" + "0001" + "03" + share), Defect.VALUE,
                "share kind 3");
        // ShareKeys addressed to the sender itself
        refused(hex.parseHex("01030000000000000001" + "0002" + "0001" + "0002" + "00".repeat(98)), Defect.VALUE,
                "addresses itself");
    }
}
