package dev.fieldline.gateway.coap;

/**
 * Decides whether a CoAP uplink from a device may reach the ingest, before its payload is looked
 * at. Called per request on a Californium thread: implementations must not block.
 */
@FunctionalInterface
public interface CoapAdmission {

    /** What to do with an uplink. */
    enum Verdict {
        ALLOW,
        /** 4.01: the request is not authenticated (secure mode without DTLS). */
        UNAUTHENTICATED,
        /** 4.03: the device is disabled. */
        FORBIDDEN,
        /** 4.03: the DTLS peer authenticated as another device (or its credential is no longer enrolled). */
        NOT_THIS_DEVICE
    }

    Verdict admit(String deviceId);

    /** Every device may send (plain mode without a registry). */
    static CoapAdmission allowAll() {
        return deviceId -> Verdict.ALLOW;
    }
}
