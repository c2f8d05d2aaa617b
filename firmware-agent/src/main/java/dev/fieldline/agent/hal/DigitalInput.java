package dev.fieldline.agent.hal;

import java.time.Instant;

/** A digital input line. */
public interface DigitalInput {

    /** The current level: true for high. */
    boolean read();

    /** Registers a listener called on every level change, on the provider's thread; keep it short. */
    void addListener(Listener listener);

    void removeListener(Listener listener);

    /** Level-change callback. */
    @FunctionalInterface
    interface Listener {
        void changed(boolean high, Instant at);
    }
}
