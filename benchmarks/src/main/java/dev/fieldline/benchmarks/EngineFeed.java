package dev.fieldline.benchmarks;

import dev.fieldline.analytics.engine.EngineConfig;
import dev.fieldline.analytics.engine.Observation;
import dev.fieldline.analytics.engine.StreamEngine;
import dev.fieldline.analytics.engine.StreamListener;

/**
 * Our stream engine fed from {@link SyntheticReadings}, one event per {@link #accept()}: the loop
 * only indexes the pre-generated arrays (device ids made once), so whatever is allocated per event
 * is the engine's own.
 */
final class EngineFeed {
    static final String METRIC = "temperature";

    private final StreamEngine engine;
    private final SyntheticReadings readings;
    private final String[] deviceIds;
    private int next;
    private long lap;
    private long accepted;

    EngineFeed(EngineConfig config, SyntheticReadings readings) {
        this.engine = new StreamEngine(config, StreamListener.NONE);
        this.readings = readings;
        this.deviceIds = new String[readings.keys()];
        for (int k = 0; k < deviceIds.length; k++) {
            deviceIds[k] = SyntheticReadings.streamKey(k).deviceId();
        }
    }

    /** Feeds events until each key has had {@code perKey} samples on average (every window filled). */
    EngineFeed fill(int perKey) {
        for (long n = (long) readings.keys() * perKey; accepted < n; ) {
            accept();
        }
        return this;
    }

    /** Feeds the next event; the engine's observation of it. */
    Observation accept() {
        int i = next;
        Observation o = engine.accept(deviceIds[readings.key(i)], METRIC, readings.timeMillis(i, lap), readings.value(i));
        accepted++;
        if (++next == readings.size()) {
            next = 0;
            lap++;
        }
        return o;
    }

    long accepted() {
        return accepted;
    }

    StreamEngine engine() {
        return engine;
    }
}
