package dev.fieldline.protocol.cose;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Finds the public key a COSE {@code kid} names. The gateway backs it with its device registry; a
 * key the registry does not know (or will not use) is {@link Optional#empty()}, which
 * {@link CoseSign1#verify(byte[], KeyResolver)} reports as {@code unknown_key}.
 */
@FunctionalInterface
public interface KeyResolver {
    /** The key for {@code kid} (1 to {@value CoseSign1#MAX_KID_BYTES} bytes; the array is a copy). */
    Optional<PublicKey> find(byte[] kid);
}
