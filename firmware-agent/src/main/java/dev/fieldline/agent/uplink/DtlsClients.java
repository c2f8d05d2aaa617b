package dev.fieldline.agent.uplink;

import java.net.InetSocketAddress;
import java.util.Arrays;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

/** Builds the agent's Scandium DTLS 1.2 client connector for a {@code coaps://} uplink. */
final class DtlsClients {
    private DtlsClients() {
    }

    /**
     * A client-only connector on an ephemeral port: PSK ({@link DtlsCredentials.Psk}), or raw public
     * keys on both sides with the gateway's key pinned ({@link DtlsCredentials.RawPublicKey}); one
     * receiver and one connector thread (the agent talks to one gateway).
     *
     * @param cfg a configuration created after {@link DtlsConfig#register()}
     */
    static DTLSConnector connector(Configuration cfg, String loggingTag, DtlsCredentials credentials) {
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(cfg)
                .setAddress(new InetSocketAddress(0))
                .setLoggingTag(loggingTag)
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                .set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1)
                .set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        if (credentials instanceof DtlsCredentials.Psk psk) {
            byte[] key = psk.key();
            try {
                b.setAdvancedPskStore(new AdvancedSinglePskStore(psk.identity(), key));
            } finally {
                Arrays.fill(key, (byte) 0);
            }
        } else if (credentials instanceof DtlsCredentials.RawPublicKey rpk) {
            b.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY)
                    .setCertificateIdentityProvider(new SingleCertificateProvider(rpk.privateKey(), rpk.publicKey()))
                    .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                            .setTrustedRPKs(new RawPublicKeyIdentity(rpk.gatewayKey())).build());
        }
        return new DTLSConnector(b.build());
    }
}
