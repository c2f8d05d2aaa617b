package dev.fieldline.gateway.cloud;

import java.time.Duration;
import java.util.Optional;

/**
 * Sends one batch of outbox records to the cloud and says how far the peer confirmed it. Called by
 * the drain thread only, one batch at a time; implementations keep their connection between calls.
 */
interface CloudTransport extends AutoCloseable {

    /** Sends the batch (the transport's records stay in order). Never throws for network trouble. */
    SendOutcome send(CloudOutbox.Batch batch) throws InterruptedException;

    @Override
    void close();

    /** What became of a send. */
    enum Status {
        /** Every record confirmed. */
        DELIVERED,
        /** The peer or the network failed: what is not confirmed is sent again after a backoff. */
        RETRY,
        /** The peer refused records for good: they become dead letters. */
        REJECTED
    }

    /**
     * @param status what happened
     * @param confirmedThrough the last sequence number the peer confirmed (records up to it may be
     *     deleted); below the batch's first when none was
     * @param rejectedThrough with {@link Status#REJECTED}: records after {@code confirmedThrough} up to
     *     this one are refused for good
     * @param reason a metric label for failures ({@code connection}, {@code timeout}, {@code status_503}, ...)
     * @param detail human-readable detail for the log and dead letters
     * @param retryAfter a delay the peer asked for (HTTP Retry-After), if any
     */
    record SendOutcome(Status status, long confirmedThrough, long rejectedThrough, String reason, String detail,
                       Optional<Duration> retryAfter) {
        static SendOutcome delivered(CloudOutbox.Batch b) {
            return new SendOutcome(Status.DELIVERED, b.last(), b.last(), "", "", Optional.empty());
        }

        static SendOutcome retry(long confirmedThrough, String reason, String detail) {
            return new SendOutcome(Status.RETRY, confirmedThrough, confirmedThrough, reason, detail, Optional.empty());
        }

        static SendOutcome rejected(long confirmedThrough, long rejectedThrough, String reason, String detail) {
            return new SendOutcome(Status.REJECTED, confirmedThrough, rejectedThrough, reason, detail, Optional.empty());
        }

        SendOutcome withRetryAfter(Optional<Duration> d) {
            return new SendOutcome(status, confirmedThrough, rejectedThrough, reason, detail, d);
        }
    }
}
