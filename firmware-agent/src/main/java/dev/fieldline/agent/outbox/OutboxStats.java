package dev.fieldline.agent.outbox;

/**
 * A snapshot of an {@link Outbox}'s state and counters since it was opened.
 *
 * @param entries entries held (not yet committed)
 * @param bytes bytes of those entries as stored (record headers included)
 * @param appended entries appended
 * @param droppedOldest held entries pushed out by a newer one (drop-oldest, also on a full disk)
 * @param droppedNewest new entries refused (drop-newest, stop-sampling, disk full, too large)
 * @param writeFailures writes or syncs the storage refused (e.g. disk full)
 * @param corruptRecords records found damaged when opening or reading back, skipped
 * @param tornBytes bytes cut from the end of the last segment when opening (a write torn by power loss)
 * @param syncs times the storage was forced to the device
 */
public record OutboxStats(
        int entries,
        long bytes,
        long appended,
        long droppedOldest,
        long droppedNewest,
        long writeFailures,
        long corruptRecords,
        long tornBytes,
        long syncs) {

    /** Entries lost to overflow either way. */
    public long dropped() {
        return droppedOldest + droppedNewest;
    }
}
