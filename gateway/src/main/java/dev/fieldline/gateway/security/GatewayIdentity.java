package dev.fieldline.gateway.security;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/**
 * The gateway's own EC P-256 key pair, created on first start in {@code {dataDir}/gateway-identity/}
 * ({@code gateway.key} 0600, {@code gateway.pub}). It is the gateway's DTLS raw public key and the
 * key of its TLS server certificate ({@link GatewayCa#serverCertificate}).
 */
public final class GatewayIdentity {
    public static final String DIRECTORY = "gateway-identity";
    static final String NAME = "gateway";

    private final KeyPair pair;
    private final Path directory;

    private GatewayIdentity(KeyPair pair, Path directory) {
        this.pair = pair;
        this.directory = directory;
    }

    /** Loads the key pair, creating it on first start. @throws SecurityFilesException if exposed or corrupt */
    public static GatewayIdentity loadOrCreate(Path dataDir) {
        Path dir = Objects.requireNonNull(dataDir, "dataDir").resolve(DIRECTORY);
        return new GatewayIdentity(KeyPairFiles.loadOrCreate(dir, NAME), dir);
    }

    /** Both halves, for the DTLS connector. */
    public KeyPair keyPair() {
        return pair;
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /** Never log or send it. */
    public PrivateKey privateKey() {
        return pair.getPrivate();
    }

    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "GatewayIdentity[" + directory + "]";
    }
}
