package dev.fieldline.gateway.analytics;

import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.engine.StreamEngine;

/**
 * Makes a stream's insight when its cadence says so (called on the analytics thread, which owns
 * the engine: read the stream's summary and history there, hand slow work elsewhere).
 */
@FunctionalInterface
public interface StreamInsights {
    StreamInsights NONE = (engine, latest) -> { };

    void insight(StreamEngine engine, Observation latest);
}
