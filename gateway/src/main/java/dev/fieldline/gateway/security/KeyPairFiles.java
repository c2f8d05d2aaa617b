package dev.fieldline.gateway.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An EC P-256 key pair kept as {@code {name}.key} (PKCS#8 PEM, created 0600) and {@code {name}.pub}
 * (SubjectPublicKeyInfo PEM) in a 0700 directory. Refused if the private key is readable by group
 * or others, or if the files do not form one key pair.
 */
final class KeyPairFiles {
    private KeyPairFiles() {
    }

    static KeyPair loadOrCreate(Path dir, String name) {
        Path privateFile = dir.resolve(name + ".key");
        Path publicFile = dir.resolve(name + ".pub");
        try {
            if (Files.exists(privateFile)) {
                return load(privateFile, publicFile);
            }
            PrivateFiles.directory(dir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = g.generateKeyPair();
            // public half first: a crash between the writes never leaves a private key without it
            Files.deleteIfExists(publicFile);
            PrivateFiles.create(publicFile, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded())
                    .getBytes(StandardCharsets.US_ASCII), PrivateFiles.PUBLIC_FILE);
            PrivateFiles.create(privateFile, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded())
                    .getBytes(StandardCharsets.US_ASCII), PrivateFiles.OWNER_FILE);
            return pair;
        } catch (IOException | GeneralSecurityException e) {
            throw new SecurityFilesException("cannot create or read the key pair " + privateFile + ": " + e.getMessage(), e);
        }
    }

    private static KeyPair load(Path privateFile, Path publicFile) throws IOException {
        if (PrivateFiles.exposed(privateFile)) {
            throw new SecurityFilesException(privateFile + " is readable or writable by group or others ("
                    + PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile)) + "); chmod 600 it");
        }
        try {
            KeyPair pair = new KeyPair(Pem.parseEcPublicKey(Files.readString(publicFile, StandardCharsets.US_ASCII)),
                    Pem.parseEcPrivateKey(Files.readString(privateFile, StandardCharsets.US_ASCII)));
            if (!(pair.getPublic() instanceof ECPublicKey) || !onePair(pair)) {
                throw new SecurityFilesException(privateFile + " and " + publicFile + " are not one EC key pair");
            }
            return pair;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new SecurityFilesException(privateFile + " or " + publicFile + " is corrupt", e);
        }
    }

    private static boolean onePair(KeyPair pair) throws GeneralSecurityException {
        byte[] probe = "fieldline key pair check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(probe);
        byte[] sig = s.sign();
        s.initVerify(pair.getPublic());
        s.update(probe);
        return s.verify(sig);
    }
}
