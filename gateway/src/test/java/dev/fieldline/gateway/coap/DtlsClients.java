package dev.fieldline.gateway.coap;

import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.PublicKey;
import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;
import org.eclipse.californium.scandium.util.SecretUtil;

/** Californium DTLS clients for tests: PSK, or a raw public key trusting only the gateway's key. */
public final class DtlsClients {
    private DtlsClients() {
    }

    private static DtlsConnectorConfig.Builder base() {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        return DtlsConnectorConfig.builder(Configuration.createStandardWithoutFile())
                .setAddress(new InetSocketAddress("127.0.0.1", 0))
                .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY)
                .set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 1);
    }

    public static CoapEndpoint psk(String identity, byte[] key) {
        return endpoint(base().setAdvancedPskStore(new AdvancedSinglePskStore(new PskPublicInformation(identity),
                SecretUtil.create(key, "PSK"))).build());
    }

    public static CoapEndpoint rawPublicKey(KeyPair device, PublicKey gateway) {
        return endpoint(base()
                .setCertificateIdentityProvider(new SingleCertificateProvider(device.getPrivate(), device.getPublic()))
                .setAdvancedCertificateVerifier(StaticNewAdvancedCertificateVerifier.builder()
                        .setTrustedRPKs(new RawPublicKeyIdentity(gateway)).build())
                .build());
    }

    private static CoapEndpoint endpoint(DtlsConnectorConfig config) {
        return new CoapEndpoint.Builder().setConfiguration(config.getConfiguration())
                .setConnector(new DTLSConnector(config)).build();
    }

    /** A client on its own endpoint (closing the client does not destroy the endpoint: destroy it too). */
    public static CoapClient client(CoapEndpoint endpoint, String uri) {
        CoapClient c = new CoapClient(uri);
        c.setEndpoint(endpoint);
        c.setTimeout(4_000L);
        return c;
    }
}
