package dev.fieldline.gateway.coap;

import dev.fieldline.gateway.registry.DeviceKey;
import dev.fieldline.gateway.registry.DeviceRegistry;
import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.KeyIds;
import java.net.InetSocketAddress;
import java.security.Principal;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.security.auth.x500.X500Principal;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.CertificateMessage;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.CertificateVerificationResult;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeException;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.dtls.x509.NewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;

/**
 * Device credentials for the CoAPS endpoint, answered from the {@link DeviceRegistry} cache (never
 * SQLite, so safe on Scandium's handshake threads):
 * <ul>
 * <li>PSK: the PSK identity is the device id, the key {@link DeviceRegistry#dtlsPsk}; an unknown,
 * not enrolled or disabled device has no key and its handshake fails.
 * <li>Raw public keys (RFC 7250): the client's key is accepted only if it is the enrolled key of an
 * enabled device (looked up by its {@link KeyIds key id}, then compared in full).
 * </ul>
 * {@link #deviceOf} maps an authenticated DTLS peer back to its device, for binding requests.
 */
public final class DeviceDtlsCredentials implements AdvancedPskStore, NewAdvancedCertificateVerifier {
    private final DeviceRegistry registry;

    public DeviceDtlsCredentials(DeviceRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    // ------------------------------------------------------------------ PSK

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName, PskPublicInformation identity,
            String hmacAlgorithm, SecretKey otherSecret, byte[] seed, boolean useExtendedMasterSecret) {
        String deviceId = identity.getPublicInfoAsString();
        Optional<byte[]> psk = DeviceIds.isValid(deviceId) ? registry.dtlsPsk(deviceId) : Optional.empty();
        if (psk.isEmpty()) {
            return new PskSecretResult(cid, identity, null);
        }
        byte[] key = psk.get();
        try {
            return new PskSecretResult(cid, identity, SecretUtil.create(key, PskSecretResult.ALGORITHM_PSK));
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The gateway is a server only: it never picks a PSK identity itself. */
    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null;
    }

    // ------------------------------------------------------------------ raw public keys

    @Override
    public List<CertificateType> getSupportedCertificateTypes() {
        return List.of(CertificateType.RAW_PUBLIC_KEY);
    }

    @Override
    public CertificateVerificationResult verifyCertificate(ConnectionId cid, ServerNames serverName,
            InetSocketAddress remotePeer, boolean clientUsage, boolean verifySubject, boolean truncateCertificatePath,
            CertificateMessage message) {
        PublicKey key = message.getPublicKey();
        if (key == null || enrolledDevice(key).filter(DeviceKey::enabled).isEmpty()) {
            return new CertificateVerificationResult(cid, new HandshakeException("raw public key of no enabled device",
                    new AlertMessage(AlertLevel.FATAL, AlertDescription.BAD_CERTIFICATE)), null);
        }
        return new CertificateVerificationResult(cid, key, null);
    }

    @Override
    public List<X500Principal> getAcceptedIssuers() {
        return List.of();
    }

    /** Answers are synchronous (the registry cache), so no result handler is needed. */
    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // synchronous
    }

    // ------------------------------------------------------------------ binding

    /**
     * The device an authenticated DTLS peer is, enabled or not (check the state separately), or empty
     * if the credential belongs to no device any more (a replaced key).
     */
    public Optional<DeviceKey> deviceOf(Principal peer) {
        if (peer instanceof PreSharedKeyIdentity psk) {
            return registry.device(psk.getIdentity()).filter(DeviceKey::enrolled);
        }
        if (peer instanceof RawPublicKeyIdentity rpk) {
            return enrolledDevice(rpk.getKey());
        }
        return Optional.empty();
    }

    private Optional<DeviceKey> enrolledDevice(PublicKey key) {
        byte[] spki = key.getEncoded();
        if (spki == null) {
            return Optional.empty();
        }
        return registry.keyByKid(KeyIds.of(spki)).filter(d -> d.publicKey()
                .map(k -> java.security.MessageDigest.isEqual(k.getEncoded(), spki)).orElse(false));
    }
}
