package dev.fieldline.federated.secagg;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.List;

/**
 * Shamir's t-of-n secret sharing of 32-byte secrets over the prime field GF(p), p = 2^256 + 297 (the
 * smallest prime above 2^256, so every 32-byte string is a field element). A share is the point
 * (x, f(x)) of a random polynomial f of degree t − 1 with f(0) = the secret; x is the holder's client
 * index. Any t shares give f(0) by Lagrange interpolation; t − 1 shares are consistent with every
 * secret, so they tell nothing about it.
 */
public final class Shamir {
    /** 2^256 + 297. */
    public static final BigInteger P = BigInteger.ONE.shiftLeft(256).add(BigInteger.valueOf(297));
    /** Bytes of a share value (big-endian, below P). */
    public static final int SHARE_BYTES = 33;
    public static final int SECRET_BYTES = 32;

    /** A share: the holder's x and the 33-byte big-endian value f(x). */
    public record Share(int x, byte[] y) {
        public Share {
            if (x < 1) {
                throw new IllegalArgumentException("x must be >= 1, was " + x);
            }
            if (y.length != SHARE_BYTES) {
                throw new IllegalArgumentException("a share value has " + SHARE_BYTES + " bytes, was " + y.length);
            }
            y = y.clone();
        }

        @Override
        public byte[] y() {
            return y.clone();
        }
    }

    private Shamir() {
    }

    /** Splits a 32-byte secret into one share for each x in {@code xs}; any {@code threshold} of them recover it. */
    public static Share[] split(byte[] secret, int[] xs, int threshold, SecureRandom random) {
        if (secret.length != SECRET_BYTES) {
            throw new IllegalArgumentException("a secret has " + SECRET_BYTES + " bytes, was " + secret.length);
        }
        if (threshold < 1 || threshold > xs.length) {
            throw new IllegalArgumentException("threshold must be in 1.." + xs.length + ", was " + threshold);
        }
        BigInteger[] coefficients = new BigInteger[threshold];
        coefficients[0] = new BigInteger(1, secret);
        for (int i = 1; i < threshold; i++) {
            BigInteger c;
            do {
                c = new BigInteger(257, random);
            } while (c.compareTo(P) >= 0);
            coefficients[i] = c;
        }
        Share[] shares = new Share[xs.length];
        for (int k = 0; k < xs.length; k++) {
            BigInteger x = BigInteger.valueOf(xs[k]);
            BigInteger y = coefficients[threshold - 1];
            for (int i = threshold - 2; i >= 0; i--) {
                y = y.multiply(x).add(coefficients[i]).mod(P);
            }
            shares[k] = new Share(xs[k], toBytes(y, SHARE_BYTES));
        }
        return shares;
    }

    /**
     * The secret from at least {@code threshold} shares (the first {@code threshold} are used).
     *
     * @throws SecAggException {@link SecAggException.Reason#TOO_FEW_SHARES} with fewer shares,
     *     {@link SecAggException.Reason#TAMPERED} when a share is not below the prime or the shares
     *     interpolate to a value above 2^256 (an altered share almost always interpolates to another
     *     32-byte value instead: Shamir alone does not detect it)
     */
    public static byte[] combine(List<Share> shares, int threshold) {
        if (shares.size() < threshold) {
            throw new SecAggException(SecAggException.Reason.TOO_FEW_SHARES, shares.size()
                    + " shares, fewer than the threshold of " + threshold);
        }
        List<Share> used = shares.subList(0, threshold);
        int[] xs = new int[threshold];
        for (int i = 0; i < threshold; i++) {
            xs[i] = used.get(i).x();
        }
        return combine(used, lagrangeAtZero(xs));
    }

    /** The secret from shares at the x's the coefficients were computed for (see {@link #lagrangeAtZero}). */
    static byte[] combine(List<Share> shares, BigInteger[] coefficients) {
        BigInteger secret = interpolate(shares, coefficients);
        if (secret.bitLength() > SECRET_BYTES * 8) {
            throw new SecAggException(SecAggException.Reason.TAMPERED, "the shares are inconsistent: they interpolate "
                    + "to a value above 2^256");
        }
        return toBytes(secret, SECRET_BYTES);
    }

    /** f(0) of the polynomial of least degree through the shares, whatever their number. */
    static BigInteger interpolate(List<Share> shares, BigInteger[] coefficients) {
        BigInteger sum = BigInteger.ZERO;
        for (int i = 0; i < shares.size(); i++) {
            BigInteger y = new BigInteger(1, shares.get(i).y);
            if (y.compareTo(P) >= 0) {
                throw new SecAggException(SecAggException.Reason.TAMPERED, "share of x=" + shares.get(i).x()
                        + " is not below the prime");
            }
            sum = sum.add(y.multiply(coefficients[i]));
        }
        return sum.mod(P);
    }

    /** Lagrange coefficients for evaluating at 0 the polynomial through points at the distinct {@code xs}. */
    static BigInteger[] lagrangeAtZero(int[] xs) {
        BigInteger[] c = new BigInteger[xs.length];
        for (int i = 0; i < xs.length; i++) {
            BigInteger num = BigInteger.ONE;
            BigInteger den = BigInteger.ONE;
            for (int j = 0; j < xs.length; j++) {
                if (i == j) {
                    continue;
                }
                if (xs[i] == xs[j]) {
                    throw new SecAggException(SecAggException.Reason.PROTOCOL, "two shares for x=" + xs[i]);
                }
                num = num.multiply(BigInteger.valueOf(xs[j])).mod(P);
                den = den.multiply(BigInteger.valueOf((long) xs[j] - xs[i])).mod(P);
            }
            c[i] = num.multiply(den.modInverse(P)).mod(P);
        }
        return c;
    }

    static byte[] toBytes(BigInteger v, int width) {
        byte[] raw = v.toByteArray();
        if (raw.length > width + 1 || (raw.length == width + 1 && raw[0] != 0)) {
            throw new IllegalArgumentException("value does not fit " + width + " bytes");
        }
        byte[] out = new byte[width];
        int n = Math.min(raw.length, width);
        System.arraycopy(raw, raw.length - n, out, width - n, n);
        return out;
    }

    static boolean belowPrime(byte[] y) {
        return new BigInteger(1, y).compareTo(P) < 0;
    }
}
