package dev.fieldline.agent.internal;

import dev.fieldline.agent.AgentConfig;
import dev.fieldline.agent.AgentException;
import dev.fieldline.agent.AgentException.Reason;
import dev.fieldline.agent.identity.DeviceCredentials;
import dev.fieldline.agent.identity.DeviceIdentity;
import dev.fieldline.agent.identity.GatewayTrust;
import dev.fieldline.agent.uplink.CoapUplink;
import dev.fieldline.agent.uplink.DtlsCredentials;
import dev.fieldline.agent.uplink.MqttUplink;
import dev.fieldline.agent.uplink.TlsSocketFactory;
import dev.fieldline.agent.uplink.Uplink;
import java.util.Arrays;
import java.util.Optional;

/**
 * Gives an uplink what its scheme needs from enrollment: {@code tcp://} logs in with the device token
 * when there is one; {@code ssl://} presents the device certificate and trusts only the gateway CA;
 * {@code coaps://} authenticates with the device PSK ({@code coap.dtls: psk}) or the device key with
 * the gateway's key pinned ({@code rpk}). A secure scheme without what it needs stops the start with
 * {@link Reason#ENROLLMENT}, saying what is missing. Nothing secret is put in a message.
 */
public final class UplinkSecurity {
    private UplinkSecurity() {
    }

    /**
     * @param enrolled the credentials enrollment just gave or confirmed; if empty, those stored in the
     *     data directory for this device and key are used
     */
    public static void configure(Uplink uplink, AgentConfig config, DeviceIdentity identity,
            Optional<DeviceCredentials> enrolled) {
        Optional<DeviceCredentials> credentials = enrolled.or(() -> stored(config, identity));
        String scheme = config.uplink().getScheme();
        if (uplink instanceof MqttUplink mqtt && scheme.equals("tcp")) {
            credentials.ifPresent(c -> mqtt.useCredentials(c.mqttPassword()));
        } else if (uplink instanceof MqttUplink mqtt && scheme.equals("ssl")) {
            GatewayTrust trust = trust(config, identity, "its client certificate");
            mqtt.useTls(TlsSocketFactory.create(identity.privateKey(), trust.deviceCertificate(), trust.caCertificate()));
        } else if (uplink instanceof CoapUplink coap && scheme.equals("coaps")) {
            if (config.coapDtls() == AgentConfig.CoapDtls.RPK) {
                GatewayTrust trust = trust(config, identity, "the gateway's DTLS public key");
                coap.useDtls(new DtlsCredentials.RawPublicKey(identity.privateKey(), identity.publicKey(),
                        trust.gatewayPublicKey()));
            } else {
                DeviceCredentials c = credentials.orElseThrow(() -> notEnrolled(config, "its DTLS pre-shared key"));
                byte[] psk = c.dtlsPsk();
                try {
                    coap.useDtls(new DtlsCredentials.Psk(c.deviceId(), psk));
                } finally {
                    Arrays.fill(psk, (byte) 0);
                }
            }
        }
    }

    private static Optional<DeviceCredentials> stored(AgentConfig config, DeviceIdentity identity) {
        return DeviceCredentials.load(config.dataDir())
                .filter(c -> c.deviceId().equals(config.deviceId()) && c.kid().equals(identity.kidHex()));
    }

    private static GatewayTrust trust(AgentConfig config, DeviceIdentity identity, String what) {
        GatewayTrust trust = GatewayTrust.load(config.dataDir()).orElseThrow(() -> notEnrolled(config, what));
        if (!Arrays.equals(trust.deviceCertificate().getPublicKey().getEncoded(), identity.subjectPublicKeyInfo())) {
            throw new AgentException(Reason.ENROLLMENT, "uplink " + config.uplink() + ": the certificate in "
                    + config.dataDir().resolve(DeviceIdentity.DIRECTORY).resolve(GatewayTrust.DEVICE_CERTIFICATE_FILE)
                    + " is for another key than the device's (kid " + identity.kidHex() + "); enroll the current key"
                    + " (an admin re-keys the device: POST /api/v1/devices/{id}/rekey)");
        }
        return trust;
    }

    private static AgentException notEnrolled(AgentConfig config, String what) {
        return new AgentException(Reason.ENROLLMENT, "uplink " + config.uplink() + " needs " + what + " from enrollment,"
                + " and device " + config.deviceId() + " has none in " + config.dataDir().resolve(DeviceIdentity.DIRECTORY)
                + ": configure security.enroll-url and a one-time security.enroll-token (a device enrolled before the"
                + " gateway issued certificates is re-keyed: POST /api/v1/devices/{id}/rekey)");
    }
}
