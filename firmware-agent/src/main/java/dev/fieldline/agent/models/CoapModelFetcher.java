package dev.fieldline.agent.models;

import dev.fieldline.agent.uplink.CoapUplink;
import dev.fieldline.protocol.model.ModelOffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Fetches over the CoAP uplink's own endpoint (DTLS when it is {@code coaps://}), block-wise. */
public final class CoapModelFetcher implements ModelFetcher {
    private final CoapUplink uplink;
    private final Duration timeout;

    public CoapModelFetcher(CoapUplink uplink, Duration timeout) {
        this.uplink = uplink;
        this.timeout = timeout;
    }

    @Override
    public byte[] fetch(ModelOffer offer, boolean manifest, int maxBytes) throws Exception {
        if (maxBytes > CoapUplink.MAX_DOWNLOAD_BYTES) {
            throw new IllegalArgumentException(maxBytes + " bytes is more than CoAP fetches (" + CoapUplink.MAX_DOWNLOAD_BYTES + ")");
        }
        try {
            return uplink.get(offer.coapPath() + (manifest ? "/manifest" : ""), maxBytes).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    @Override
    public String describe() {
        return "coap";
    }
}
