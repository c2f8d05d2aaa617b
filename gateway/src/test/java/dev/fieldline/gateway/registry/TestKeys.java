package dev.fieldline.gateway.registry;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** EC key pairs for tests. */
public final class TestKeys {
    private TestKeys() {
    }

    public static KeyPair p256() {
        return generate("secp256r1");
    }

    public static KeyPair p384() {
        return generate("secp384r1");
    }

    private static KeyPair generate(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
