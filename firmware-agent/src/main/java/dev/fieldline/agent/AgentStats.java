package dev.fieldline.agent;

/**
 * A snapshot of the agent's counters since start.
 *
 * @param samples sampling rounds taken (one telemetry message each)
 * @param sent send attempts handed to the uplink (retries included)
 * @param acked messages acknowledged by the peer and removed from the outbox
 * @param failed send attempts that failed and will be retried
 * @param rejected messages the peer refused (CoAP 4.xx); dropped, not retried
 * @param dropped messages pushed out of the full outbox (oldest first)
 * @param queued messages in the outbox now (unacknowledged)
 * @param reconnects successful connections after the first
 * @param commands downlink commands handled (successful or not; repeats not counted)
 * @param connected whether the uplink is connected now
 */
public record AgentStats(
        long samples,
        long sent,
        long acked,
        long failed,
        long rejected,
        long dropped,
        int queued,
        long reconnects,
        long commands,
        boolean connected) {
}
