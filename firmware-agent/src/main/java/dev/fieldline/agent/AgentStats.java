package dev.fieldline.agent;

/**
 * A snapshot of the agent's counters since start.
 *
 * @param samples sampling rounds taken (one telemetry message each)
 * @param sent send attempts handed to the uplink (retries included)
 * @param acked messages acknowledged by the peer and removed from the outbox
 * @param failed send attempts that failed and will be retried
 * @param rejected messages the peer refused (CoAP 4.xx); dropped, not retried
 * @param dropped messages lost to the journal's overflow policy ({@code droppedOldest + droppedNewest})
 * @param droppedOldest held messages pushed out by newer ones (drop-oldest, or to free a full disk)
 * @param droppedNewest new messages the journal refused (drop-newest, stop-sampling, disk full)
 * @param queued messages in the journal now (unacknowledged)
 * @param queuedBytes bytes of those messages in the journal
 * @param journalWriteFailures writes or syncs the journal's storage refused (e.g. disk full)
 * @param journalCorruptRecords damaged journal records found and skipped
 * @param samplesSkipped samples not taken because the journal was full (stop-sampling)
 * @param replayed backlog messages sent at the paced rate after a (re)connect
 * @param reconnects successful connections after the first
 * @param commands downlink commands handled (successful or not; repeats not counted)
 * @param connected whether the uplink is connected now
 * @param acksReceived ack messages received from the gateway (uplink-commit: ack-message)
 * @param resent messages sent again after having been sent once (failure, reconnect, ack timeout)
 * @param ackTimeouts times the oldest unacked message waited longer than the ack timeout
 * @param connectTimeouts MQTT connection attempts dropped for want of a CONNACK in time
 * @param subscribeTimeouts MQTT connections dropped for want of a SUBACK in time
 */
public record AgentStats(
        long samples,
        long sent,
        long acked,
        long failed,
        long rejected,
        long dropped,
        long droppedOldest,
        long droppedNewest,
        int queued,
        long queuedBytes,
        long journalWriteFailures,
        long journalCorruptRecords,
        long samplesSkipped,
        long replayed,
        long reconnects,
        long commands,
        boolean connected,
        long acksReceived,
        long resent,
        long ackTimeouts,
        long connectTimeouts,
        long subscribeTimeouts) {
}
