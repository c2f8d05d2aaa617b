package dev.fieldline.analytics.engine;

import dev.fieldline.analytics.StreamKey;
import dev.fieldline.analytics.window.WindowListener;
import dev.fieldline.analytics.window.WindowResult;

/**
 * What the engine reports besides each sample's {@link Observation}: closed windows and streams
 * dropped for idleness. Called on the thread that calls the engine. Both default to doing nothing.
 */
public interface StreamListener extends WindowListener {
    StreamListener NONE = new StreamListener() {
    };

    @Override
    default void windowClosed(WindowResult result) {
    }

    /** The stream was dropped by {@link StreamEngine#expireIdle}; its open windows were emitted just before. */
    default void streamExpired(StreamKey key) {
    }
}
