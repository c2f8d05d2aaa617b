package dev.fieldline.agent.internal;

import java.util.concurrent.atomic.AtomicLong;

/** The agent's counters, shared by sampler, sender and command handler. */
public final class Counters {
    public final AtomicLong samples = new AtomicLong();
    public final AtomicLong sent = new AtomicLong();
    public final AtomicLong acked = new AtomicLong();
    public final AtomicLong failed = new AtomicLong();
    public final AtomicLong rejected = new AtomicLong();
    public final AtomicLong commands = new AtomicLong();
    /** Samples not taken because the journal was full under stop-sampling. */
    public final AtomicLong samplesSkipped = new AtomicLong();
    /** Backlog messages sent (paced) after a (re)connect, resends included. */
    public final AtomicLong replayed = new AtomicLong();
    /** Ack messages received from the gateway (uplink-commit: ack-message). */
    public final AtomicLong acksReceived = new AtomicLong();
    /** Messages sent again after having been sent once (after a failure, a reconnect or an ack timeout). */
    public final AtomicLong resent = new AtomicLong();
    /** Times the oldest unacked message waited longer than the ack timeout. */
    public final AtomicLong ackTimeouts = new AtomicLong();
}
