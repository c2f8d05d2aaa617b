package dev.fieldline.agent.models;

import dev.fieldline.protocol.model.ModelOffer;

/** Fetches an offered version's signed manifest or file from the gateway. */
public interface ModelFetcher {
    /**
     * @param manifest true for the signed manifest, false for the {@code .tflite} file
     * @param maxBytes the largest body accepted (the file's size from the offer, or the manifest limit)
     * @throws Exception any failure: the delivery reports it as {@code download_failed}
     */
    byte[] fetch(ModelOffer offer, boolean manifest, int maxBytes) throws Exception;

    /** How it fetches, for logs: {@code coap}, {@code http}. */
    String describe();
}
