package dev.fieldline.gateway.mqtt;

import dev.fieldline.gateway.metrics.Metrics;
import dev.fieldline.protocol.Ack;
import dev.fieldline.protocol.MessageCodec;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.PayloadFormat;
import dev.fieldline.protocol.Sequence;
import dev.fieldline.protocol.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells devices behind an external broker what the gateway has committed: {@link Ack} messages on
 * {@code fl/v1/{id}/ack} (docs/protocol.md §5.1). Commits are collected per device and boot as
 * ranges and flushed at most once per {@link #INTERVAL} per device, and always once after the last
 * commit of a burst. Each ack carries the boot's watermark, looked up in the store from the last one
 * known, and the ranges committed above it since the previous ack (several acks when there are more
 * than {@link Ack#MAX_RANGES}). Counted: {@code broker_acks_sent_total}, {@code broker_acks_failed_total}
 * (publish refused; the ranges are kept for the next flush).
 */
final class CommitAcks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommitAcks.class);
    /** Shortest time between two flushes for one device. */
    static final Duration INTERVAL = Duration.ofMillis(100);
    /**
     * Ranges kept per device between two flushes; beyond it the lowest are forgotten (counted in
     * {@code broker_acks_forgotten_total}): the device sends them again after its ack timeout and they
     * are acked then, as duplicates.
     */
    static final int MAX_PENDING_RANGES = 4 * Ack.MAX_RANGES;
    /** Boots per device whose watermark is remembered. */
    private static final int REMEMBERED_BOOTS = 4;
    private static final MessageCodec CODEC = new MessageCodec();

    /** Where acks go: publish QoS 1, not retained; false if the client refused (not connected, window full). */
    @FunctionalInterface
    interface Publisher {
        boolean publish(String topic, byte[] payload);
    }

    /** How far a boot is committed, as {@code TelemetryStore#committedThrough}. */
    @FunctionalInterface
    interface CommitLookup {
        /** No store to ask: acks carry the ranges only (watermark 0). */
        CommitLookup NONE = (deviceId, bootId, from) -> from - 1;

        long committedThrough(String deviceId, long bootId, long from);
    }

    private static final class DeviceAcks {
        /** boot -> first -> last, merged. */
        TreeMap<Long, TreeMap<Long, Long>> pending = new TreeMap<>();
        int pendingRanges;
        final TreeMap<Long, Long> watermarks = new TreeMap<>();
        long lastFlushNanos = System.nanoTime() - INTERVAL.toNanos();
        boolean scheduled;
    }

    private final Publisher publisher;
    private final CommitLookup lookup;
    private final Metrics metrics;
    private final ScheduledThreadPoolExecutor executor;
    private final Map<String, DeviceAcks> devices = new HashMap<>();

    CommitAcks(Publisher publisher, CommitLookup lookup, Metrics metrics) {
        this.publisher = publisher;
        this.lookup = lookup;
        this.metrics = metrics;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "fl-broker-acks");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
    }

    /** A message of the device was committed (stored, or found to be a duplicate of a stored one). */
    void committed(String deviceId, Sequence sequence) {
        long delay;
        synchronized (this) {
            DeviceAcks d = devices.computeIfAbsent(deviceId, k -> new DeviceAcks());
            TreeMap<Long, Long> ranges = d.pending.computeIfAbsent(sequence.bootId(), k -> new TreeMap<>());
            d.pendingRanges += add(ranges, sequence.seq(), sequence.seq());
            if (d.pendingRanges > MAX_PENDING_RANGES) {
                forgetLowest(d);
            }
            if (d.scheduled) {
                return;
            }
            d.scheduled = true;
            delay = Math.max(0, d.lastFlushNanos + INTERVAL.toNanos() - System.nanoTime());
        }
        schedule(deviceId, delay);
    }

    private void schedule(String deviceId, long delayNanos) {
        try {
            executor.schedule(() -> flush(deviceId), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("not acking {}: closing", deviceId);
        }
    }

    /** Adds {@code first..last} to merged ranges (joining overlapping and adjacent ones); returns the change in their number. */
    static int add(TreeMap<Long, Long> ranges, long first, long last) {
        int before = ranges.size();
        Map.Entry<Long, Long> below = ranges.floorEntry(first);
        if (below != null && below.getValue() >= first - 1) {
            first = below.getKey();
            last = Math.max(last, below.getValue());
            ranges.remove(below.getKey());
        }
        Map.Entry<Long, Long> next;
        while ((next = ranges.ceilingEntry(first)) != null && next.getKey() - 1 <= last) {
            last = Math.max(last, next.getValue());
            ranges.remove(next.getKey());
        }
        ranges.put(first, last);
        return ranges.size() - before;
    }

    private void forgetLowest(DeviceAcks d) {
        Map.Entry<Long, TreeMap<Long, Long>> boot = d.pending.firstEntry();
        boot.getValue().pollFirstEntry();
        d.pendingRanges--;
        if (boot.getValue().isEmpty()) {
            d.pending.remove(boot.getKey());
        }
        metrics.increment("broker_acks_forgotten_total");
    }

    private void flush(String deviceId) {
        TreeMap<Long, TreeMap<Long, Long>> work;
        Map<Long, Long> known = new HashMap<>();
        synchronized (this) {
            DeviceAcks d = devices.get(deviceId);
            d.scheduled = false;
            d.lastFlushNanos = System.nanoTime();
            work = d.pending;
            d.pending = new TreeMap<>();
            d.pendingRanges = 0;
            for (Long boot : work.keySet()) {
                known.put(boot, d.watermarks.getOrDefault(boot, 0L));
            }
        }
        TreeMap<Long, TreeMap<Long, Long>> failed = new TreeMap<>();
        Map<Long, Long> learned = new HashMap<>();
        for (Map.Entry<Long, TreeMap<Long, Long>> e : work.entrySet()) {
            long boot = e.getKey();
            long w = watermark(deviceId, boot, known.get(boot));
            learned.put(boot, w);
            List<Ack.Range> above = new ArrayList<>();
            for (Map.Entry<Long, Long> r : e.getValue().entrySet()) {
                if (r.getValue() > w) {
                    above.add(new Ack.Range(Math.max(r.getKey(), w + 1), r.getValue()));
                }
            }
            int from = 0;
            do {
                List<Ack.Range> chunk = above.subList(from, Math.min(above.size(), from + Ack.MAX_RANGES));
                Ack ack = new Ack(deviceId, boot, w, chunk);
                if (publisher.publish(Topics.topic(deviceId, MessageKind.ACK), CODEC.encode(ack, PayloadFormat.CBOR))) {
                    metrics.increment("broker_acks_sent_total");
                } else {
                    metrics.increment("broker_acks_failed_total");
                    failed.put(boot, e.getValue()); // all of this boot's commits, acked again at the next flush
                    break;
                }
                from += Ack.MAX_RANGES;
            } while (from < above.size());
        }
        boolean again;
        synchronized (this) {
            DeviceAcks d = devices.get(deviceId);
            learned.forEach((boot, w) -> d.watermarks.merge(boot, w, Math::max));
            while (d.watermarks.size() > REMEMBERED_BOOTS) {
                d.watermarks.pollFirstEntry();
            }
            for (Map.Entry<Long, TreeMap<Long, Long>> f : failed.entrySet()) {
                TreeMap<Long, Long> ranges = d.pending.computeIfAbsent(f.getKey(), k -> new TreeMap<>());
                for (Map.Entry<Long, Long> r : f.getValue().entrySet()) {
                    d.pendingRanges += add(ranges, r.getKey(), r.getValue());
                }
            }
            again = !d.pending.isEmpty() && !d.scheduled;
            if (again) {
                d.scheduled = true;
            }
        }
        if (again) {
            schedule(deviceId, INTERVAL.toNanos());
        }
    }

    private long watermark(String deviceId, long boot, long known) {
        try {
            return Math.max(known, lookup.committedThrough(deviceId, boot, known + 1));
        } catch (RuntimeException e) {
            LOG.debug("commit watermark of {} boot {} not available: {}", deviceId, boot, e.toString());
            return known;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
