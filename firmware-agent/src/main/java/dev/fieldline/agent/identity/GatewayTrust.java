package dev.fieldline.agent.identity;

import dev.fieldline.agent.identity.IdentityException.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;

/**
 * What enrollment gave the device to use the secure transports, kept beside its key in
 * {@code {dataDir}/identity/}: {@code device.crt} (its client certificate from the gateway CA, CN =
 * device id, for MQTT over TLS), {@code ca.crt} (the gateway CA, which issued the gateway's TLS server
 * certificate) and {@code gateway.pub} (the gateway's DTLS raw public key, pinned for coaps with raw
 * public keys). None of it is secret.
 */
public record GatewayTrust(X509Certificate deviceCertificate, X509Certificate caCertificate, PublicKey gatewayPublicKey) {
    public static final String DEVICE_CERTIFICATE_FILE = "device.crt";
    public static final String CA_CERTIFICATE_FILE = "ca.crt";
    public static final String GATEWAY_KEY_FILE = "gateway.pub";

    public GatewayTrust {
        Objects.requireNonNull(deviceCertificate, "deviceCertificate");
        Objects.requireNonNull(caCertificate, "caCertificate");
        Objects.requireNonNull(gatewayPublicKey, "gatewayPublicKey");
    }

    /**
     * Parses the enrollment answer's fields and checks that the certificate is the CA's, names the
     * device and certifies its key.
     *
     * @throws IllegalArgumentException naming what does not fit
     */
    public static GatewayTrust fromEnrollment(String certificatePem, String caCertificatePem, byte[] gatewayKeySpki,
            String deviceId, PublicKey deviceKey) {
        X509Certificate cert = certificate(certificatePem, "certificate");
        X509Certificate ca = certificate(caCertificatePem, "caCertificate");
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificate is not signed by caCertificate", e);
        }
        if (!cert.getSubjectX500Principal().equals(new X500Principal("CN=" + deviceId))) {
            throw new IllegalArgumentException("certificate names " + cert.getSubjectX500Principal() + ", not CN=" + deviceId);
        }
        if (!Arrays.equals(cert.getPublicKey().getEncoded(), deviceKey.getEncoded())) {
            throw new IllegalArgumentException("certificate does not certify the device key");
        }
        return new GatewayTrust(cert, ca, ecKey(gatewayKeySpki));
    }

    /** The files under {@code {dataDir}/identity}, if enrollment stored them. */
    public static Optional<GatewayTrust> load(Path dataDir) {
        Path dir = dataDir.resolve(DeviceIdentity.DIRECTORY);
        Path certFile = dir.resolve(DEVICE_CERTIFICATE_FILE);
        if (!Files.exists(certFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new GatewayTrust(certificate(Files.readString(certFile, StandardCharsets.US_ASCII), certFile.toString()),
                    certificate(Files.readString(dir.resolve(CA_CERTIFICATE_FILE), StandardCharsets.US_ASCII), CA_CERTIFICATE_FILE),
                    ecKey(DeviceIdentity.unpem(Files.readString(dir.resolve(GATEWAY_KEY_FILE), StandardCharsets.US_ASCII),
                            "PUBLIC KEY"))));
        } catch (IOException e) {
            throw new IdentityException(Problem.STORAGE, "cannot read the gateway certificates in " + dir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IdentityException(Problem.CORRUPT, "the gateway certificates in " + dir + " are corrupt: " + e.getMessage(), e);
        }
    }

    /** Writes the three files (0644) into {@code {dataDir}/identity} (0700). */
    public void save(Path dataDir) {
        Path dir = dataDir.resolve(DeviceIdentity.DIRECTORY);
        try {
            PrivateFiles.directory(dir);
            var readable = PosixFilePermissions.fromString("rw-r--r--");
            PrivateFiles.write(dir.resolve(CA_CERTIFICATE_FILE), DeviceIdentity.pem("CERTIFICATE", caCertificate.getEncoded()), readable);
            PrivateFiles.write(dir.resolve(GATEWAY_KEY_FILE), DeviceIdentity.pem("PUBLIC KEY", gatewayPublicKey.getEncoded()), readable);
            // the device certificate last: load() takes its presence as "all three are there"
            PrivateFiles.write(dir.resolve(DEVICE_CERTIFICATE_FILE), DeviceIdentity.pem("CERTIFICATE", deviceCertificate.getEncoded()),
                    readable);
        } catch (IOException | CertificateEncodingException e) {
            throw new IdentityException(Problem.STORAGE, "cannot write the gateway certificates to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the three files, if present (a new enrollment without certificates makes them stale). */
    public static void forget(Path dataDir) {
        Path dir = dataDir.resolve(DeviceIdentity.DIRECTORY);
        try {
            Files.deleteIfExists(dir.resolve(DEVICE_CERTIFICATE_FILE));
            Files.deleteIfExists(dir.resolve(CA_CERTIFICATE_FILE));
            Files.deleteIfExists(dir.resolve(GATEWAY_KEY_FILE));
        } catch (IOException e) {
            throw new IdentityException(Problem.STORAGE, "cannot delete the stale gateway certificates in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    private static X509Certificate certificate(String pem, String what) {
        if (pem == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(DeviceIdentity.unpem(pem, "CERTIFICATE")));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not a PEM X.509 certificate", e);
        }
    }

    private static PublicKey ecKey(byte[] spki) {
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("gatewayPublicKey is not an EC SubjectPublicKeyInfo", e);
        }
    }
}
