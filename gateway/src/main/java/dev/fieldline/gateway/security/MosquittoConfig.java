package dev.fieldline.gateway.security;

import dev.fieldline.gateway.registry.DeviceKey;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes the configuration that makes an external Mosquitto (2.0) enforce what the embedded MQTT
 * endpoint enforces: devices authenticate with client certificates from the gateway CA (CN = device
 * id, which Mosquitto takes as the user name), may publish only under their own uplink topics and
 * subscribe only to their own {@code cmd} and {@code ack}; the gateway (CN
 * {@link GatewayCa#BROKER_GATEWAY_USER}) reads every uplink and writes commands and acks. Mosquitto
 * cannot ask the registry, so disabled and re-keyed devices are shut out by a CRL listing their
 * certificates ({@link IssuedCertificates}); write again and reload the broker (SIGHUP) after a
 * change. See {@code docs/security.md}.
 *
 * <p>Files in the output directory: {@code mosquitto.conf}, {@code acl}, {@code ca.pem},
 * {@code broker.pem}, {@code broker.key} (created once, 0600, kept on later runs; Mosquitto drops
 * privileges before reading it, so it must belong to the broker's user), {@code broker.pub},
 * {@code crl.pem}.
 */
public final class MosquittoConfig {
    public static final String CONFIG_FILE = "mosquitto.conf";
    public static final String ACL_FILE = "acl";
    public static final String CRL_FILE = "crl.pem";
    public static final String CA_FILE = "ca.pem";
    public static final String BROKER_CERT_FILE = "broker.pem";
    public static final String BROKER_KEY_FILE = "broker.key";
    static final String BROKER_PUBLIC_FILE = "broker.pub";
    /** RFC 5280 CRLReason codes. */
    static final int UNSPECIFIED = 0;
    static final int SUPERSEDED = 4;
    static final int CERTIFICATE_HOLD = 6;
    private static final List<MessageKind> DEVICE_WRITES =
            List.of(MessageKind.TELEMETRY, MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND_RESULT);
    private static final List<MessageKind> DEVICE_READS = List.of(MessageKind.COMMAND, MessageKind.ACK);

    /**
     * What to generate.
     *
     * @param outDir where to write the files (created if missing)
     * @param listenerPort the broker's TLS listener port (1-65535)
     * @param bindAddress the address the listener binds, or empty for all
     * @param brokerNames host names and addresses of the broker for its certificate (besides localhost and 127.0.0.1)
     * @param deployDir the directory the files will live in on the broker host, as written into
     *     {@code mosquitto.conf}; empty = {@code outDir} (absolute)
     * @param keyOwner a user to give {@code broker.key} to (needs root), e.g. {@code mosquitto}
     */
    public record Options(Path outDir, int listenerPort, Optional<String> bindAddress, List<String> brokerNames,
            Optional<Path> deployDir, Optional<String> keyOwner) {
        public Options {
            Objects.requireNonNull(outDir, "outDir");
            if (listenerPort < 1 || listenerPort > 65535) {
                throw new IllegalArgumentException("listenerPort must be 1-65535, was " + listenerPort);
            }
            Objects.requireNonNull(bindAddress, "bindAddress");
            brokerNames = List.copyOf(Objects.requireNonNull(brokerNames, "brokerNames"));
            Objects.requireNonNull(deployDir, "deployDir");
            Objects.requireNonNull(keyOwner, "keyOwner");
            deployDir.ifPresent(d -> {
                if (!d.isAbsolute()) {
                    throw new IllegalArgumentException("deployDir must be absolute, was " + d);
                }
            });
        }

        /** Files in {@code outDir}, default port 8883, all addresses. */
        public static Options of(Path outDir) {
            return new Options(outDir, 8883, Optional.empty(), List.of(), Optional.empty(), Optional.empty());
        }

        public Options withListener(String bind, int port) {
            return new Options(outDir, port, Optional.of(bind), brokerNames, deployDir, keyOwner);
        }

        public Options withKeyOwner(String user) {
            return new Options(outDir, listenerPort, bindAddress, brokerNames, deployDir, Optional.of(user));
        }
    }

    /**
     * What was written.
     *
     * @param config the {@code mosquitto.conf}
     * @param devices devices in the registry
     * @param revoked certificates in the CRL, with the device each was issued to
     */
    public record Written(Path config, int devices, Map<BigInteger, String> revoked) {
    }

    private MosquittoConfig() {
    }

    /** Writes (or rewrites) the broker's files from the registry and the CA. */
    public static Written write(DeviceRegistry registry, GatewayCa ca, Options options) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(options, "options");
        Path out = options.outDir();
        Path deployed = options.deployDir().orElse(out.toAbsolutePath());
        try {
            Files.createDirectories(out);
            PublicKey brokerKey = brokerKey(out, options.keyOwner());
            X509Certificate brokerCert = ca.brokerCertificate(brokerKey, options.brokerNames());
            PrivateFiles.replacePublic(out.resolve(BROKER_CERT_FILE), Pem.certificate(brokerCert).getBytes(StandardCharsets.US_ASCII));
            PrivateFiles.replacePublic(out.resolve(CA_FILE), Pem.certificate(ca.certificate()).getBytes(StandardCharsets.US_ASCII));

            Map<BigInteger, Integer> reasons = new LinkedHashMap<>();
            Map<BigInteger, String> revoked = new LinkedHashMap<>();
            Instant now = Instant.now();
            for (IssuedCertificates.Issued i : ca.issuedDeviceCertificates()) {
                if (i.notAfter().isBefore(now)) {
                    continue;
                }
                revocationReason(registry.device(i.deviceId()), i).ifPresent(reason -> {
                    reasons.put(i.serial(), reason);
                    revoked.put(i.serial(), i.deviceId());
                });
            }
            X509CRL crl = ca.revocationList(reasons);
            PrivateFiles.replacePublic(out.resolve(CRL_FILE), Pem.encode("X509 CRL", crl.getEncoded()).getBytes(StandardCharsets.US_ASCII));
            PrivateFiles.replacePublic(out.resolve(ACL_FILE), acl().getBytes(StandardCharsets.UTF_8));
            Path config = out.resolve(CONFIG_FILE);
            PrivateFiles.replacePublic(config, config(options, deployed).getBytes(StandardCharsets.UTF_8));
            return new Written(config, registry.devices().size(), revoked);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Mosquitto configuration in " + out + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the CRL: " + e.getMessage(), e);
        }
    }

    /** Why a recorded certificate is revoked, if it is: device gone, disabled, or its key replaced. */
    static Optional<Integer> revocationReason(Optional<DeviceKey> device, IssuedCertificates.Issued issued) {
        if (device.isEmpty()) {
            return Optional.of(UNSPECIFIED);
        }
        if (!device.get().enabled()) {
            return Optional.of(CERTIFICATE_HOLD);
        }
        if (!device.get().kidHex().map(issued.kidHex()::equals).orElse(false)) {
            return Optional.of(SUPERSEDED);
        }
        return Optional.empty();
    }

    /** The broker's key pair: kept from an earlier run (its public half in broker.pub), else created. */
    private static PublicKey brokerKey(Path out, Optional<String> owner) throws IOException, GeneralSecurityException {
        Path key = out.resolve(BROKER_KEY_FILE);
        Path pub = out.resolve(BROKER_PUBLIC_FILE);
        if (Files.exists(key) && Files.exists(pub)) {
            return Pem.parseEcPublicKey(Files.readString(pub, StandardCharsets.US_ASCII));
        }
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        Files.deleteIfExists(key);
        PrivateFiles.create(key, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()).getBytes(StandardCharsets.US_ASCII),
                PrivateFiles.OWNER_FILE);
        if (owner.isPresent()) {
            Files.setOwner(key, key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner.get()));
        }
        PrivateFiles.replacePublic(pub, Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()).getBytes(StandardCharsets.US_ASCII));
        return pair.getPublic();
    }

    /** Mosquitto ACL: the gateway's rights by user, every device's by pattern ({@code %u} = certificate CN). */
    static String acl() {
        List<String> lines = new ArrayList<>();
        lines.add("# Generated by 'fieldline gateway mosquitto-config'; regenerate instead of editing.");
        lines.add("# The gateway: client certificate CN=" + GatewayCa.BROKER_GATEWAY_USER + " from the gateway CA.");
        lines.add("user " + GatewayCa.BROKER_GATEWAY_USER);
        for (MessageKind k : DEVICE_WRITES) {
            lines.add("topic read " + Topics.allDevices(k));
        }
        for (MessageKind k : DEVICE_READS) {
            lines.add("topic write " + Topics.allDevices(k));
        }
        lines.add("");
        lines.add("# Every device: client certificate CN = device id = %u; its own uplinks, its own downlinks.");
        for (MessageKind k : DEVICE_WRITES) {
            lines.add("pattern write " + Topics.PREFIX + "%u/" + k.suffix());
        }
        for (MessageKind k : DEVICE_READS) {
            lines.add("pattern read " + Topics.PREFIX + "%u/" + k.suffix());
        }
        return String.join("\n", lines) + "\n";
    }

    private static String config(Options o, Path dir) {
        List<String> lines = new ArrayList<>();
        lines.add("# Generated by 'fieldline gateway mosquitto-config'; regenerate instead of editing.");
        lines.add("# Reload the broker (SIGHUP) after regenerating: it rereads the ACL, the CRL and the certificates.");
        lines.add("per_listener_settings false");
        lines.add("allow_anonymous false");
        lines.add("acl_file " + dir.resolve(ACL_FILE));
        lines.add("");
        lines.add("listener " + o.listenerPort() + o.bindAddress().map(b -> " " + b).orElse(""));
        lines.add("cafile " + dir.resolve(CA_FILE));
        lines.add("certfile " + dir.resolve(BROKER_CERT_FILE));
        lines.add("keyfile " + dir.resolve(BROKER_KEY_FILE));
        lines.add("crlfile " + dir.resolve(CRL_FILE));
        lines.add("require_certificate true");
        lines.add("use_identity_as_username true");
        lines.add("tls_version tlsv1.2");
        return String.join("\n", lines) + "\n";
    }
}
