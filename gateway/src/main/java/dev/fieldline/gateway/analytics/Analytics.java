package dev.fieldline.gateway.analytics;

import dev.fieldline.gateway.ingest.CommitListener;
import dev.fieldline.gateway.ingest.Decoded;

/**
 * Analysis of committed messages. The gateway runs one; the threshold rule is the first, a rule
 * engine can replace it. Runs after the store committed a message, on the store's completion
 * thread: implementations must not block.
 */
public interface Analytics extends CommitListener {
    @Override
    void committed(Decoded message);
}
