package dev.fieldline.gateway.http;

/**
 * What the enrollment answer carries besides the device's credentials, so the device can use the
 * secure transports: a client certificate for its newly enrolled key, the CA that certifies it and
 * the gateway's MQTT TLS server certificate, and the gateway's DTLS raw public key. None of it is
 * secret.
 */
public interface EnrollmentTrust {
    /** PEM of a certificate from the gateway CA for the device's current enrolled key, CN = device id. */
    String deviceCertificatePem(String deviceId);

    /** PEM of the gateway CA's certificate (the trust anchor of the MQTT TLS server certificate). */
    String caCertificatePem();

    /** SubjectPublicKeyInfo DER of the key the gateway presents as its DTLS raw public key. */
    byte[] dtlsServerPublicKey();
}
