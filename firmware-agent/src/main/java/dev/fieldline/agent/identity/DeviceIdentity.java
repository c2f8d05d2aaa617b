package dev.fieldline.agent.identity;

import dev.fieldline.agent.identity.IdentityException.Problem;
import dev.fieldline.protocol.KeyIds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's key pair: EC P-256 (secp256r1), created on first start and kept in
 * {@code {dataDir}/identity/}: {@code device.key} (PKCS#8, PEM, permissions 0600 from creation; the
 * directory 0700) and {@code device.pub} (SubjectPublicKeyInfo, PEM). Later starts load them. The
 * agent refuses to start with {@link IdentityException} if the private key file is accessible to
 * group or others ({@link Problem#KEY_FILE_EXPOSED}) or the files are corrupt or disagree
 * ({@link Problem#CORRUPT}).
 *
 * <p>The key id ({@link #kid()}) is {@link KeyIds#of}: the first 16 bytes of SHA-256 over the SPKI.
 * {@link #toString()} shows only the key id.
 */
public final class DeviceIdentity {
    private static final Logger log = LoggerFactory.getLogger(DeviceIdentity.class);
    /** The directory under the data directory. */
    public static final String DIRECTORY = "identity";
    public static final String PRIVATE_KEY_FILE = "device.key";
    public static final String PUBLIC_KEY_FILE = "device.pub";
    private static final String CURVE = "secp256r1";

    private final Path directory;
    private final KeyPair keys;
    private final byte[] kid;

    private DeviceIdentity(Path directory, KeyPair keys) {
        this.directory = directory;
        this.keys = keys;
        this.kid = KeyIds.of(keys.getPublic());
    }

    /** Loads the identity from {@code {dataDir}/identity}, creating a new key pair on first start. */
    public static DeviceIdentity loadOrCreate(Path dataDir) {
        Objects.requireNonNull(dataDir, "dataDir");
        Path dir = dataDir.resolve(DIRECTORY);
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        try {
            if (Files.exists(privateFile)) {
                return load(dir);
            }
            PrivateFiles.directory(dir);
            KeyPair pair = generate();
            // public key first: a crash between the two writes leaves no private key without its public half
            PrivateFiles.write(dir.resolve(PUBLIC_KEY_FILE), pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            PrivateFiles.write(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()), PrivateFiles.OWNER_FILE);
            DeviceIdentity id = new DeviceIdentity(dir, pair);
            log.info("created device key {} (kid {})", privateFile, id.kidHex());
            return id;
        } catch (IOException e) {
            throw new IdentityException(Problem.STORAGE, "cannot create the device key in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static DeviceIdentity load(Path dir) throws IOException {
        Path privateFile = dir.resolve(PRIVATE_KEY_FILE);
        if (PrivateFiles.exposed(privateFile)) {
            throw new IdentityException(Problem.KEY_FILE_EXPOSED, privateFile + " is accessible to group or others ("
                    + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(privateFile))
                    + "); the device key must be readable by the agent's user only: chmod 600 it, and consider the key"
                    + " compromised (re-key the device)");
        }
        Path publicFile = dir.resolve(PUBLIC_KEY_FILE);
        if (!Files.exists(publicFile)) {
            throw new IdentityException(Problem.CORRUPT, publicFile + " is missing next to " + privateFile);
        }
        try {
            KeyFactory f = KeyFactory.getInstance("EC");
            PrivateKey priv = f.generatePrivate(new PKCS8EncodedKeySpec(unpem(Files.readString(privateFile), "PRIVATE KEY")));
            PublicKey pub = f.generatePublic(new X509EncodedKeySpec(unpem(Files.readString(publicFile), "PUBLIC KEY")));
            if (!(pub instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IdentityException(Problem.CORRUPT, publicFile + " is not an EC P-256 key");
            }
            KeyPair pair = new KeyPair(pub, priv);
            if (!matches(pair)) {
                throw new IdentityException(Problem.CORRUPT, privateFile + " and " + publicFile + " are not one key pair");
            }
            return new DeviceIdentity(dir, pair);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IdentityException(Problem.CORRUPT, "the device key in " + dir + " is corrupt: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(CURVE));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JRE cannot generate EC " + CURVE + " keys", e);
        }
    }

    private static boolean matches(KeyPair pair) throws GeneralSecurityException {
        byte[] probe = "fieldline key check".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(pair.getPrivate());
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance("SHA256withECDSA");
        v.initVerify(pair.getPublic());
        v.update(probe);
        return v.verify(sig);
    }

    static byte[] pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] unpem(String text, String type) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("no " + type + " PEM block");
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }

    /** The public key. */
    public PublicKey publicKey() {
        return keys.getPublic();
    }

    /** The private key, for signing (COSE_Sign1) and DTLS raw public keys. Never log or send it. */
    public PrivateKey privateKey() {
        return keys.getPrivate();
    }

    /** The public key's SubjectPublicKeyInfo DER (what enrollment sends). */
    public byte[] subjectPublicKeyInfo() {
        return keys.getPublic().getEncoded();
    }

    /** The key id (16 bytes; a copy). */
    public byte[] kid() {
        return kid.clone();
    }

    public String kidHex() {
        return KeyIds.hex(kid);
    }

    /** {@code {dataDir}/identity}. */
    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "DeviceIdentity[kid=" + kidHex() + "]";
    }
}
