package dev.fieldline.gateway.security;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The gateway's own certificate authority (EC P-256, ECDSA with SHA-256), created on first start in
 * {@code {dataDir}/ca/}: {@code ca.key} (0600) and {@code ca.pem} (self-signed, 10 years). It certifies
 * the gateway's TLS server key and each enrolled device key: enrollment already proved the one-time
 * token, so the device's registered public key is certified directly (no CSR). Certificates are
 * built with Bouncy Castle (the JDK has no public certificate-building API).
 *
 * <p>Every device certificate is recorded in {@code ca/issued.log} ({@link IssuedCertificates}), so
 * that {@link #revocationList} can revoke the certificates of disabled and re-keyed devices for a
 * broker that cannot ask the registry (Mosquitto's {@code crlfile}).
 */
public final class GatewayCa {
    public static final String DIRECTORY = "ca";
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Lifetime of device and server certificates. */
    public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(825);
    private static final String SIGNATURE = "SHA256withECDSA";
    /**
     * Subject CN of the gateway's client certificate on an external broker: the broker's user name
     * for the gateway ({@code use_identity_as_username}). The '@' cannot occur in a device id, so no
     * device certificate can carry this name.
     */
    public static final String BROKER_GATEWAY_USER = "gateway@fieldline";

    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final IssuedCertificates issued;

    private GatewayCa(KeyPair keys, X509Certificate certificate, Clock clock, Path dir) {
        this.keys = keys;
        this.certificate = certificate;
        this.clock = clock;
        this.issued = new IssuedCertificates(dir.resolve(IssuedCertificates.FILE_NAME));
    }

    /** Loads the CA, creating its key and self-signed certificate on first start. */
    public static GatewayCa loadOrCreate(Path dataDir, Clock clock) {
        Path dir = Objects.requireNonNull(dataDir, "dataDir").resolve(DIRECTORY);
        KeyPair keys = KeyPairFiles.loadOrCreate(dir, "ca");
        Path certFile = dir.resolve("ca.pem");
        try {
            if (Files.exists(certFile)) {
                X509Certificate cert = Pem.parseCertificate(Files.readString(certFile, StandardCharsets.US_ASCII));
                if (!cert.getPublicKey().equals(keys.getPublic())) {
                    throw new SecurityFilesException(certFile + " does not certify the key in " + dir.resolve("ca.key"));
                }
                return new GatewayCa(keys, cert, clock, dir);
            }
            GatewayCa ca = new GatewayCa(keys, null, clock, dir);
            X509Certificate self = ca.build(new X500Principal("CN=Fieldline gateway CA"), keys.getPublic(), CA_VALIDITY,
                    true, List.of(), null);
            PrivateFiles.create(certFile, Pem.certificate(self).getBytes(StandardCharsets.US_ASCII), PrivateFiles.PUBLIC_FILE);
            return new GatewayCa(keys, self, clock, dir);
        } catch (IOException | GeneralSecurityException e) {
            throw new SecurityFilesException("cannot create or read the gateway CA in " + dir + ": " + e.getMessage(), e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** A client certificate for a device key: CN = device id, client-auth usage; recorded in {@code issued.log}. */
    public X509Certificate deviceCertificate(String deviceId, PublicKey deviceKey) {
        X509Certificate cert = issue(new X500Principal("CN=" + deviceId), deviceKey, false, List.of());
        issued.record(cert, deviceId, deviceKey);
        return cert;
    }

    /** The gateway's TLS server certificate: SANs localhost, 127.0.0.1 and {@code names}. */
    public X509Certificate serverCertificate(PublicKey serverKey, List<String> names) {
        return server("Fieldline gateway", serverKey, names);
    }

    /** A TLS server certificate for an external MQTT broker: SANs localhost, 127.0.0.1 and {@code names}. */
    public X509Certificate brokerCertificate(PublicKey brokerKey, List<String> names) {
        return server("Fieldline MQTT broker", brokerKey, names);
    }

    /** The gateway's client certificate for an external broker: CN = {@link #BROKER_GATEWAY_USER}. */
    public X509Certificate brokerClientCertificate(PublicKey gatewayKey) {
        return issue(new X500Principal("CN=" + BROKER_GATEWAY_USER), gatewayKey, false, List.of());
    }

    private X509Certificate server(String commonName, PublicKey key, List<String> names) {
        Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1"));
        all.addAll(Objects.requireNonNull(names, "names"));
        return issue(new X500Principal("CN=" + commonName), key, true, List.copyOf(all));
    }

    /** Every device certificate this CA recorded, oldest first. */
    public List<IssuedCertificates.Issued> issuedDeviceCertificates() {
        return issued.all();
    }

    /**
     * A certificate revocation list signed by this CA (CRL number = this update in milliseconds; next
     * update = the CA's expiry, because an expired CRL would make OpenSSL refuse every client).
     *
     * @param revoked serial numbers with their RFC 5280 reason code ({@code CRLReason})
     */
    public X509CRL revocationList(java.util.Map<BigInteger, Integer> revoked) {
        Objects.requireNonNull(revoked, "revoked");
        Instant now = clock.instant();
        try {
            X509v2CRLBuilder b = new JcaX509v2CRLBuilder(certificate.getSubjectX500Principal(), Date.from(now));
            b.setNextUpdate(certificate.getNotAfter());
            for (java.util.Map.Entry<BigInteger, Integer> e : revoked.entrySet()) {
                b.addCRLEntry(e.getKey(), Date.from(now), e.getValue());
            }
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(now.toEpochMilli())));
            b.addExtension(Extension.authorityKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(keys.getPublic()));
            return new JcaX509CRLConverter().getCRL(b.build(new JcaContentSignerBuilder(SIGNATURE).build(keys.getPrivate())));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot build the certificate revocation list: " + e.getMessage(), e);
        }
    }

    private X509Certificate issue(X500Principal subject, PublicKey key, boolean server, List<String> names) {
        try {
            return build(subject, key, CERTIFICATE_VALIDITY, false, names, server ? KeyPurposeId.id_kp_serverAuth
                    : KeyPurposeId.id_kp_clientAuth);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
        }
    }

    private X509Certificate build(X500Principal subject, PublicKey key, Duration validity, boolean ca, List<String> names,
            KeyPurposeId purpose) throws GeneralSecurityException, IOException {
        Instant now = clock.instant();
        X500Principal issuer = certificate == null ? subject : certificate.getSubjectX500Principal();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, random).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, key);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(keys.getPublic()));
        if (purpose != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (!names.isEmpty()) {
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                sans.add(isAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE)
                    .build(keys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static boolean isAddress(String name) {
        if (name.contains(":")) {
            return true;
        }
        if (!name.matches("[0-9.]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(name) != null;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }
}
