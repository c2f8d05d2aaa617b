package dev.fieldline.analytics.engine;

/**
 * The engine's counters since it started.
 *
 * @param samples samples accepted (in order or not)
 * @param late samples late for at least one time window (a window they belong to had closed): dropped from those windows
 * @param outOfOrder samples older than their stream's latest: not given to the detectors, trend or statistics; still windowed
 * @param refusedValues samples refused for a non-finite value
 * @param refusedKeys samples refused because they would have opened a stream beyond maxKeys
 * @param expired streams dropped for idleness
 */
public record EngineCounters(long samples, long late, long outOfOrder, long refusedValues, long refusedKeys, long expired) {
}
