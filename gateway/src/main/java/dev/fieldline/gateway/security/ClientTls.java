package dev.fieldline.gateway.security;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS client sockets with a client certificate (JDK provider, TLS 1.3/1.2), for the gateway's
 * connection to an external broker and for tests acting as devices.
 */
public final class ClientTls {
    private ClientTls() {
    }

    /**
     * A socket factory presenting {@code chain} (leaf first) for {@code key}, and trusting servers
     * certified by {@code trusted}, or, with {@code systemTrust}, also by the JDK's default trust store.
     */
    public static SSLSocketFactory socketFactory(PrivateKey key, List<X509Certificate> chain, X509Certificate trusted,
            boolean systemTrust) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(trusted, "trusted");
        if (chain == null || chain.isEmpty()) {
            throw new IllegalArgumentException("chain must hold at least the client certificate");
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            char[] password = new char[0];
            keys.setKeyEntry("client", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);

            List<X509TrustManager> managers = new ArrayList<>();
            KeyStore ca = KeyStore.getInstance("PKCS12");
            ca.load(null, null);
            ca.setCertificateEntry("ca", trusted);
            managers.add(trustManager(ca));
            if (systemTrust) {
                managers.add(trustManager(null));
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AnyOf(managers)}, new SecureRandom());
            return ctx.getSocketFactory();
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS client context: " + e.getMessage(), e);
        }
    }

    /**
     * A socket factory without a client certificate, trusting servers certified by {@code trusted}
     * and by the JDK's default trust store (an upstream broker that authenticates by password).
     */
    public static SSLSocketFactory trustingSocketFactory(X509Certificate trusted) {
        Objects.requireNonNull(trusted, "trusted");
        try {
            KeyStore ca = KeyStore.getInstance("PKCS12");
            ca.load(null, null);
            ca.setCertificateEntry("ca", trusted);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new AnyOf(List.of(trustManager(ca), trustManager(null)))}, new SecureRandom());
            return ctx.getSocketFactory();
        } catch (java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the TLS client context: " + e.getMessage(), e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager m : tmf.getTrustManagers()) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusts a server if any of the managers does. */
    private record AnyOf(List<X509TrustManager> managers) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client-side trust manager");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException last = null;
            for (X509TrustManager m : managers) {
                try {
                    m.checkServerTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream().flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers())).toArray(X509Certificate[]::new);
        }
    }
}
