package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.federated.secagg.SecAggException.Reason;
import dev.fieldline.federated.secagg.SecAggMessage.EncryptedShare;
import dev.fieldline.federated.secagg.SecAggMessage.RevealedShare;
import dev.fieldline.federated.secagg.SecAggMessage.ShareDelivery;
import dev.fieldline.federated.secagg.SecAggMessage.ShareKind;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskRequest;
import dev.fieldline.federated.secagg.SecAggMessage.UnmaskResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the server holds does not reveal an individual input. The statistical tests use a seeded
 * generator, so they are repeatable; the bound is the χ² critical value for 15 degrees of freedom at
 * p = 0.001 (37.70), i.e. a truly uniform vector would fail one in a thousand seeds.
 */
class SecAggPrivacyTest {
    private static final Quantisation Q = new Quantisation(1.0, 1024, 65_536, 40, Quantisation.Rounding.NEAREST);
    private static final int D = 16_000;
    private static final double CHI2_15_P001 = 37.70;

    private static List<long[]> inputs(int n, long value) {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] x = new long[D];
            Arrays.fill(x, value);
            out.add(x);
        }
        return out;
    }

    /** Counts of the top 4 bits of each 40-bit value. */
    private static long[] buckets(long[] v) {
        long[] c = new long[16];
        for (long x : v) {
            c[(int) (x >>> 36)]++;
        }
        return c;
    }

    private static double chiSquareUniform(long[] counts) {
        double expected = Arrays.stream(counts).sum() / (double) counts.length;
        double chi = 0;
        for (long c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }

    /** χ² test of homogeneity of two samples over the same buckets. */
    private static double chiSquareHomogeneity(long[] a, long[] b) {
        double na = Arrays.stream(a).sum();
        double nb = Arrays.stream(b).sum();
        double chi = 0;
        for (int i = 0; i < a.length; i++) {
            double col = a[i] + b[i];
            double ea = col * na / (na + nb);
            double eb = col * nb / (na + nb);
            chi += (a[i] - ea) * (a[i] - ea) / ea + (b[i] - eb) * (b[i] - eb) / eb;
        }
        return chi;
    }

    @Test
    void aMaskedInputIsUniformWhateverTheInputSoTwoInputsGiveIndistinguishableViews() {
        long zero = 0;
        long large = (1L << 39) - 1; // the largest positive value
        long[] viewOfZero = new Session(4, 3, D, Q, Seeded.random(21)).advertiseAndShare()
                .mask(inputs(4, zero), List.of(1, 2, 3, 4)).masked.get(2).masked();
        long[] viewOfLarge = new Session(4, 3, D, Q, Seeded.random(22)).advertiseAndShare()
                .mask(inputs(4, large), List.of(1, 2, 3, 4)).masked.get(2).masked();
        assertThat(chiSquareUniform(buckets(viewOfZero))).isLessThan(CHI2_15_P001);
        assertThat(chiSquareUniform(buckets(viewOfLarge))).isLessThan(CHI2_15_P001);
        assertThat(chiSquareHomogeneity(buckets(viewOfZero), buckets(viewOfLarge))).isLessThan(CHI2_15_P001);
        // and the test can fail: the unmasked inputs are as far from uniform as can be
        assertThat(chiSquareUniform(buckets(inputs(1, large).get(0)))).isGreaterThan(1000);
    }

    @Test
    void withTheSelfMaskRemovedFromTheSharesItReceivesTheServerStillSeesOnlyUniformNoise() {
        Random r = new Random(5);
        List<long[]> x = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long[] v = new long[D];
            for (int j = 0; j < D; j++) {
                v[j] = (long) (r.nextGaussian() * 1000) & Q.mask(); // a realistic, far from uniform update
            }
            x.add(v);
        }
        Session s = new Session(5, 3, D, Q, Seeded.random(23)).advertiseAndShare().mask(x, List.of(1, 2, 3, 4, 5))
                .unmask(List.of(1, 2, 3, 4, 5));
        List<Shamir.Share> bShares = new ArrayList<>();
        for (UnmaskResponse resp : s.responses.values()) {
            for (RevealedShare share : resp.shares()) {
                assertThat(share.kind()).as("no s-key share of a survivor ever reaches the server")
                        .isEqualTo(ShareKind.SELF_MASK);
                if (share.about() == 1) {
                    bShares.add(new Shamir.Share(resp.from(), share.share()));
                }
            }
        }
        byte[] b1 = Shamir.combine(bShares, 3);
        long[] view = s.masked.get(1).masked().clone();
        SecAggCrypto.addPrg(b1, view, 40, true); // y_1 − PRG(b_1) = x_1 + pairwise masks
        assertThat(chiSquareUniform(buckets(view))).isLessThan(CHI2_15_P001);
        assertThat(chiSquareUniform(buckets(x.get(0)))).isGreaterThan(1000);
        // while the sum over all of them is exact
        long[] expected = new long[D];
        for (long[] v : x) {
            for (int j = 0; j < D; j++) {
                expected[j] = (expected[j] + v[j]) & Q.mask();
            }
        }
        assertThat(s.server.finish().sum()).isEqualTo(expected);
    }

    private static Session masked() {
        return new Session(5, 3, 10, Q, Seeded.random(24)).advertiseAndShare().mask(inputs5(), List.of(1, 2, 3, 4));
    }

    private static List<long[]> inputs5() {
        List<long[]> out = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            out.add(new long[10]);
        }
        return out;
    }

    private static void assertRefused(Session s, int client, UnmaskRequest request, String message) {
        assertThatThrownBy(() -> s.client(client).unmask(request))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining(message);
        assertThat(s.client(client).state()).isEqualTo(SecAggClient.State.ABORTED);
    }

    @Test
    void anHonestClientRefusesToRevealBothSharesOfOneClient() {
        Session s = masked();
        assertThat(s.request.survivors()).containsExactly(1, 2, 3, 4);
        assertThat(s.request.dropped()).containsExactly(5);
        assertRefused(s, 1, new UnmaskRequest(77, List.of(1, 2, 3, 4), List.of(2, 5)),
                "asked for both the self-mask and the mask-key share of client 2");
    }

    @Test
    void anHonestClientRefusesToBeTreatedAsDroppedOrAbsentAfterSendingItsMaskedInput() {
        Session s = masked();
        assertRefused(s, 1, new UnmaskRequest(77, List.of(2, 3, 4), List.of(1, 5)), "about this client (1) as dropped");
        assertRefused(s, 2, new UnmaskRequest(77, List.of(1, 3, 4), List.of(5)), "about this client (2) as absent");
    }

    @Test
    void anHonestClientRefusesRequestsWithTooFewSurvivorsUnknownClientsOrASecondRequest() {
        Session s = masked();
        assertRefused(s, 1, new UnmaskRequest(77, List.of(1, 2), List.of(5)), "2 survivors, fewer than the threshold of 3");
        SecAggParams big = new SecAggParams(77, 9, 3, 10, Q);
        assertThat(big.clients()).isEqualTo(9);
        assertRefused(s, 2, new UnmaskRequest(77, List.of(1, 2, 3), List.of(8)), "client 8, who did not share keys");
        UnmaskResponse ok = s.client(3).unmask(s.request);
        assertThat(ok.shares()).hasSize(5);
        assertThatThrownBy(() -> s.client(3).unmask(s.request))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                .hasMessageContaining("already answered");
    }

    @Test
    void theServerRefusesAResponseRevealingTheWrongKindOfShare() {
        Session s = masked();
        UnmaskResponse honest = s.client(1).unmask(s.request);
        List<RevealedShare> wrong = new ArrayList<>(honest.shares());
        RevealedShare first = wrong.get(0);
        wrong.set(0, new RevealedShare(first.about(), ShareKind.MASK_KEY, first.share()));
        assertThatThrownBy(() -> s.server.receive(new UnmaskResponse(77, 1, wrong)))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL));
        s.server.receive(honest);
    }

    @Test
    void anAlteredShareOfADroppedClientsKeyIsCaughtByThePublicKeyCheck() {
        Session s = masked();
        UnmaskResponse honest = s.client(1).unmask(s.request);
        List<RevealedShare> altered = new ArrayList<>(honest.shares());
        RevealedShare about5 = altered.get(4);
        assertThat(about5.about()).isEqualTo(5);
        assertThat(about5.kind()).isEqualTo(ShareKind.MASK_KEY);
        byte[] y = about5.share();
        y[32] ^= 1;
        altered.set(4, new RevealedShare(5, ShareKind.MASK_KEY, y));
        s.server.receive(new UnmaskResponse(77, 1, altered));
        s.server.receive(s.client(2).unmask(s.request));
        s.server.receive(s.client(3).unmask(s.request));
        assertThatThrownBy(s.server::finish)
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED))
                .hasMessageContaining("does not match its advertised public key");
        assertThat(s.server.phase()).isEqualTo(SecAggServer.Phase.ABANDONED);
    }

    @Test
    void aTamperedShareCiphertextIsRefused() {
        Session s = new Session(4, 3, 10, Q, Seeded.random(25)).advertiseAndShare();
        ShareDelivery d = s.deliveries.get(2);
        List<EncryptedShare> shares = new ArrayList<>(d.shares());
        byte[] ct = shares.get(1).ciphertext();
        ct[30] ^= 1;
        shares.set(1, new EncryptedShare(shares.get(1).peer(), ct));
        assertThatThrownBy(() -> s.client(2).maskedInput(new ShareDelivery(77, 2, shares), new long[10]))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED))
                .hasMessageContaining("failed authentication");
        assertThat(s.client(2).state()).isEqualTo(SecAggClient.State.ABORTED);
    }

    @Test
    void aShareRedirectedToAnotherRecipientOrSenderIsRefused() {
        Session s = new Session(4, 3, 10, Q, Seeded.random(26)).advertiseAndShare();
        // client 1's share for client 3, delivered to client 3 as if it came from client 2
        EncryptedShare from1 = s.deliveries.get(3).shares().get(0);
        assertThat(from1.peer()).isEqualTo(1);
        List<EncryptedShare> forged = new ArrayList<>(s.deliveries.get(3).shares());
        forged.set(1, new EncryptedShare(2, from1.ciphertext()));
        assertThatThrownBy(() -> s.client(3).maskedInput(new ShareDelivery(77, 3, forged), new long[10]))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
        // client 1's share for client 2, delivered to client 4
        EncryptedShare for2 = s.deliveries.get(2).shares().get(0);
        List<EncryptedShare> misrouted = new ArrayList<>(s.deliveries.get(4).shares());
        misrouted.set(0, for2);
        assertThatThrownBy(() -> s.client(4).maskedInput(new ShareDelivery(77, 4, misrouted), new long[10]))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TAMPERED));
    }

    @Test
    void messagesOfAnotherSessionOrPhaseAreRefused() {
        Session s = new Session(4, 3, 10, Q, Seeded.random(27)).advertiseAndShare();
        assertThatThrownBy(() -> s.client(1).maskedInput(new ShareDelivery(78, 1, s.deliveries.get(1).shares()),
                new long[10])).isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL));
        assertThatThrownBy(() -> s.server.receive(s.client(2).advertise()))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL));
        assertThatThrownBy(() -> s.server.receive(s.sent.get(3)))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                .hasMessageContaining("phase MASKED_INPUT");
    }

    @Test
    void theServerRefusesMessagesThatDoNotFitAndKeepsGoing() {
        Session s = new Session(4, 3, 10, Q, Seeded.random(28));
        s.clients.forEach(c -> s.server.receive(c.advertise()));
        assertThatThrownBy(() -> s.server.receive(new SecAggMessage.AdvertiseKeys(77, 1, new byte[32], new byte[32])))
                .hasMessageContaining("client 1 already sent");
        assertThatThrownBy(() -> s.server.receive(new SecAggMessage.AdvertiseKeys(77, 5, new byte[32], new byte[32])))
                .hasMessageContaining("client index 5 is not in 1..4");
        s.directory = s.server.closeAdvertise();
        SecAggMessage.ShareKeys full = s.client(1).shareKeys(s.directory);
        SecAggMessage.ShareKeys partial = new SecAggMessage.ShareKeys(77, 1, full.shares().subList(0, 2));
        assertThatThrownBy(() -> s.server.receive(partial))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                .hasMessageContaining("sends shares to [2, 3], expected one to each of [2, 3, 4]");
        s.server.receive(full);
        for (int i = 2; i <= 4; i++) {
            s.server.receive(s.client(i).shareKeys(s.directory));
        }
        s.deliveries = s.server.closeShareKeys();
        assertThatThrownBy(() -> s.server.receive(new SecAggMessage.MaskedInput(77, 1, 40, new long[9])))
                .hasMessageContaining("sends 9 values of 40 bits, expected 10 of 40");
        assertThatThrownBy(() -> s.server.receive(new SecAggMessage.MaskedInput(77, 1, 48, new long[10])))
                .hasMessageContaining("expected 10 of 40");
        List<long[]> x = List.of(new long[10], new long[10], new long[10], new long[10]);
        s.mask(x, List.of(1, 2, 3, 4)).unmask(List.of(1, 2, 3));
        assertThat(s.server.finish().sum()).isEqualTo(new long[10]);
        assertThatThrownBy(s.server::finish).hasMessageContaining("cannot close UNMASKING in phase DONE");
    }

    @Test
    void aDirectoryWithASmallOrderKeyIsRefused() {
        Session s = new Session(3, 2, 10, Q, Seeded.random(29));
        List<SecAggMessage.PeerKeys> keys = new ArrayList<>();
        for (SecAggClient c : s.clients) {
            keys.add(c.advertise().keys());
        }
        keys.set(2, new SecAggMessage.PeerKeys(3, new byte[32], keys.get(2).sPublic())); // u = 0: small order
        assertThatThrownBy(() -> s.client(1).shareKeys(new SecAggMessage.KeyDirectory(77, keys)))
                .isInstanceOfSatisfying(SecAggException.class, e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
                .hasMessageContaining("refused the peer's key");
    }
}
