package dev.fieldline.gateway.coap;

import java.net.InetSocketAddress;
import java.security.Principal;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;

/** Builds the gateway's Scandium DTLS 1.2 server connector. */
final class DtlsEndpoints {
    private static final int DTLS_THREADS = 2;

    private DtlsEndpoints() {
    }

    /**
     * A server-only connector: PSK (and ECDHE-PSK) from the registry, and ECDHE-ECDSA with raw public
     * keys on both sides, the client's key required ({@code NEEDED}) and checked against the registry.
     */
    static DTLSConnector serverConnector(Configuration cfg, InetSocketAddress address, CoapsConfig coaps) {
        DtlsConnectorConfig dtls = DtlsConnectorConfig.builder(cfg)
                .setAddress(address)
                .setLoggingTag("coaps")
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
                .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.NEEDED)
                .setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY)
                .set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1)
                .set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, DTLS_THREADS)
                .setAdvancedPskStore(coaps.devices())
                .setCertificateIdentityProvider(new SingleCertificateProvider(coaps.serverKeys().getPrivate(),
                        coaps.serverKeys().getPublic()))
                .setAdvancedCertificateVerifier(coaps.devices())
                .build();
        return new DTLSConnector(dtls);
    }

    /** True if a DTLS peer presented the PSK identity {@code deviceId}. */
    static boolean names(Principal peer, String deviceId) {
        return peer instanceof PreSharedKeyIdentity psk && psk.getIdentity().equals(deviceId);
    }
}
