package dev.fieldline.federated.secagg;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** A SecureRandom that repeats under a seed (SHA1PRNG seeded before first use), so tests do not flake. */
final class Seeded {
    private Seeded() {
    }

    static SecureRandom random(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
