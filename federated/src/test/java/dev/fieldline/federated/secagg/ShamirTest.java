package dev.fieldline.federated.secagg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShamirTest {
    private static final int[] XS = {1, 2, 3, 5, 8, 13, 21};

    private static byte[] secret(SecureRandom r) {
        byte[] s = new byte[32];
        r.nextBytes(s);
        return s;
    }

    @Test
    void thePrimeIsThePrimeAbove2To256() {
        assertThat(Shamir.P.isProbablePrime(128)).isTrue();
        for (int k = 1; k < 297; k += 2) {
            assertThat(BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(k)).isProbablePrime(64)).isFalse();
        }
    }

    @Test
    void anyThresholdOfSharesRecoversTheSecret() {
        SecureRandom r = Seeded.random(31);
        for (int trial = 0; trial < 20; trial++) {
            byte[] secret = secret(r);
            if (trial == 0) {
                Arrays.fill(secret, (byte) 0xff); // 2^256 − 1, just below the prime
            }
            List<Shamir.Share> shares = new ArrayList<>(Arrays.asList(Shamir.split(secret, XS, 4, r)));
            Collections.shuffle(shares, new java.util.Random(trial));
            assertThat(Shamir.combine(shares.subList(0, 4), 4)).isEqualTo(secret);
            assertThat(Shamir.combine(shares, 4)).isEqualTo(secret);
        }
    }

    @Test
    void fewerThanThresholdSharesAreRefusedAndInterpolateToAWrongSecret() {
        SecureRandom r = Seeded.random(32);
        byte[] secret = secret(r);
        Shamir.Share[] shares = Shamir.split(secret, XS, 4, r);
        List<Shamir.Share> three = List.of(shares[0], shares[3], shares[6]);
        assertThatThrownBy(() -> Shamir.combine(three, 4))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.TOO_FEW_SHARES))
                .hasMessageContaining("3 shares, fewer than the threshold of 4");
        BigInteger guess = Shamir.interpolate(three, Shamir.lagrangeAtZero(new int[] {1, 5, 21}));
        assertThat(guess).isNotEqualTo(new BigInteger(1, secret));
    }

    @Test
    void tMinusOneSharesAreConsistentWithEverySecret() {
        // perfect secrecy: for the same t−1 shares, any other secret has a polynomial through them, so the
        // shares are equally likely under every secret. Build it and check it passes through those shares.
        SecureRandom r = Seeded.random(33);
        byte[] secret = secret(r);
        Shamir.Share[] shares = Shamir.split(secret, XS, 3, r);
        byte[] other = secret(r);
        // points (0, other), (1, y1), (2, y2) define a degree-2 polynomial; its value at x=3 is a third share
        BigInteger y1 = new BigInteger(1, shares[0].y());
        BigInteger y2 = new BigInteger(1, shares[1].y());
        BigInteger o = new BigInteger(1, other);
        // Lagrange at x=3 through x=0,1,2: f(3) = f(0) − 3 f(1) + 3 f(2)
        BigInteger f3 = o.subtract(y1.multiply(BigInteger.valueOf(3))).add(y2.multiply(BigInteger.valueOf(3))).mod(Shamir.P);
        Shamir.Share third = new Shamir.Share(3, Shamir.toBytes(f3, Shamir.SHARE_BYTES));
        assertThat(Shamir.combine(List.of(shares[0], shares[1], third), 3)).isEqualTo(other);
    }

    @Test
    void aShareNotBelowThePrimeIsRefusedAndAnAlteredShareGivesAnotherSecret() {
        SecureRandom r = Seeded.random(34);
        byte[] secret = secret(r);
        Shamir.Share[] shares = Shamir.split(secret, XS, 3, r);
        byte[] tooLarge = Shamir.toBytes(Shamir.P, Shamir.SHARE_BYTES);
        assertThatThrownBy(() -> Shamir.combine(List.of(shares[0], shares[1], new Shamir.Share(3, tooLarge)), 3))
                .isInstanceOfSatisfying(SecAggException.class,
                        e -> assertThat(e.reason()).isEqualTo(SecAggException.Reason.TAMPERED))
                .hasMessageContaining("not below the prime");
        // Shamir alone cannot tell an altered share: the server checks a reconstructed s key against its
        // public key (SecAggPrivacyTest), and a wrong self-mask seed leaves a sum that is visibly noise
        byte[] y = shares[2].y();
        y[32] ^= 1;
        assertThat(Shamir.combine(List.of(shares[0], shares[1], new Shamir.Share(3, y)), 3)).isNotEqualTo(secret);
    }
}
