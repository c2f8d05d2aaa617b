package dev.fieldline.agent.uplink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS client sockets for MQTT over TLS ({@code ssl://}): the device presents its key with its
 * certificate from the gateway CA and trusts only that CA; TLS 1.3 and 1.2. Sockets get
 * TCP_NODELAY as in {@link NoDelaySocketFactory}. Host name verification is Paho's
 * ({@code MqttConnectionOptions#setHttpsHostnameVerificationEnabled}), which {@link MqttUplink} turns on.
 */
public final class TlsSocketFactory extends SSLSocketFactory {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLSocketFactory delegate;

    private TlsSocketFactory(SSLSocketFactory delegate) {
        this.delegate = delegate;
    }

    /**
     * @param deviceKey the device's private key (never logged)
     * @param deviceCertificate its certificate from the gateway CA
     * @param trustAnchor the gateway CA: the only issuer the server certificate may come from
     */
    public static TlsSocketFactory create(PrivateKey deviceKey, X509Certificate deviceCertificate, X509Certificate trustAnchor) {
        Objects.requireNonNull(deviceKey, "deviceKey");
        Objects.requireNonNull(deviceCertificate, "deviceCertificate");
        Objects.requireNonNull(trustAnchor, "trustAnchor");
        try {
            // an in-memory key store only: its password protects nothing on disk
            char[] password = Base64.getEncoder().encodeToString(SecureRandom.getSeed(16)).toCharArray();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("device", deviceKey, password, new X509Certificate[] {deviceCertificate, trustAnchor});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("gateway-ca", trustAnchor);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return new TlsSocketFactory(context.getSocketFactory());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot build a TLS context from the device key and certificates: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    private static Socket configure(Socket s) throws IOException {
        s.setTcpNoDelay(true);
        if (s instanceof javax.net.ssl.SSLSocket ssl) {
            ssl.setEnabledProtocols(PROTOCOLS);
        }
        return s;
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return configure(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        s.setTcpNoDelay(true);
        return configure(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return configure(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return configure(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return configure(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return configure(delegate.createSocket(address, port, localAddress, localPort));
    }
}
