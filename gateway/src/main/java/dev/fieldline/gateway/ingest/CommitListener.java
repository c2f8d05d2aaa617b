package dev.fieldline.gateway.ingest;

/**
 * Told about every message the store committed for the first time (never about duplicates or
 * refused messages). Called on the store's completion thread, before the submitter's future
 * completes: implementations must be quick and must not block (queue heavier work elsewhere).
 */
@FunctionalInterface
public interface CommitListener {
    void committed(Decoded message);
}
