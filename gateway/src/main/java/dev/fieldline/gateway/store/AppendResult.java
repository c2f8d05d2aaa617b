package dev.fieldline.gateway.store;

/** What appending a message did. */
public enum AppendResult {
    /** Newly committed. */
    APPENDED,
    /** The (device, boot, seq) was already stored; nothing changed. */
    DUPLICATE
}
