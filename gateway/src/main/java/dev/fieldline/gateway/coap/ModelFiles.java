package dev.fieldline.gateway.coap;

import java.util.Optional;

/** The published model files the CoAP server serves under {@code /v1/models/{name}/{version}}. */
public interface ModelFiles {
    /** The {@code .tflite} file, or empty when there is no such version. */
    Optional<byte[]> file(String name, long version);

    /** The signed release manifest (COSE_Sign1), or empty when there is no such version. */
    Optional<byte[]> signedManifest(String name, long version);
}
