package dev.fieldline.agent.journal;

import java.time.Duration;
import java.util.Locale;

/**
 * How the {@link TelemetryJournal} writes, syncs and bounds itself.
 *
 * @param segmentSize bytes per segment file before the next one is started (a single larger
 *     record still fits, alone, in a segment)
 * @param maxSize most bytes of unacknowledged records held; beyond it the overflow policy applies
 * @param fsync when appended records are forced to the storage device
 * @param fsyncInterval period of the background sync under {@link FsyncPolicy#INTERVAL}
 * @param fsyncBatch records appended between syncs under {@link FsyncPolicy#BATCH}
 * @param overflow what happens to a record that does not fit
 */
public record JournalConfig(
        long segmentSize,
        long maxSize,
        FsyncPolicy fsync,
        Duration fsyncInterval,
        int fsyncBatch,
        OverflowPolicy overflow) {

    public static final long MIN_SEGMENT_SIZE = 1024;
    public static final long MAX_SEGMENT_SIZE = 1L << 30;
    public static final long DEFAULT_SEGMENT_SIZE = 1L << 20;
    public static final long DEFAULT_MAX_SIZE = 64L << 20;
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
    public static final int DEFAULT_FSYNC_BATCH = 64;
    public static final JournalConfig DEFAULTS = new JournalConfig(DEFAULT_SEGMENT_SIZE, DEFAULT_MAX_SIZE,
            FsyncPolicy.BATCH, DEFAULT_FSYNC_INTERVAL, DEFAULT_FSYNC_BATCH, OverflowPolicy.DROP_OLDEST);

    /** When appended records reach the storage device ({@code FileChannel.force}). */
    public enum FsyncPolicy {
        /** After every record. */
        ALWAYS,
        /** After every {@code fsyncBatch} records, or before the sender reads the next entry. */
        BATCH,
        /** From a background thread every {@code fsyncInterval} (if anything was appended). */
        INTERVAL;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static FsyncPolicy parse(String s) {
            for (FsyncPolicy p : values()) {
                if (p.configName().equals(s.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("expected always, batch or interval, got '" + s + "'");
        }
    }

    /** What happens to a record that does not fit under {@code maxSize} (or that the disk refuses). */
    public enum OverflowPolicy {
        /** Drop the oldest unacknowledged records until the new one fits. */
        DROP_OLDEST,
        /** Refuse the new record. */
        DROP_NEWEST,
        /** The sampler skips samples while the journal is full; other records that do not fit are refused. */
        STOP_SAMPLING;

        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static OverflowPolicy parse(String s) {
            for (OverflowPolicy p : values()) {
                if (p.configName().equals(s.toLowerCase(Locale.ROOT))) {
                    return p;
                }
            }
            throw new IllegalArgumentException("expected drop-oldest, drop-newest or stop-sampling, got '" + s + "'");
        }
    }

    public JournalConfig {
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE) {
            throw new IllegalArgumentException("segmentSize must be " + MIN_SEGMENT_SIZE + ".." + MAX_SEGMENT_SIZE
                    + " bytes, was " + segmentSize);
        }
        if (maxSize < MIN_SEGMENT_SIZE) {
            throw new IllegalArgumentException("maxSize must be >= " + MIN_SEGMENT_SIZE + " bytes, was " + maxSize);
        }
        if (fsync == null) {
            throw new IllegalArgumentException("fsync must not be null");
        }
        if (fsyncInterval == null || fsyncInterval.toMillis() < 1 || fsyncInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("fsyncInterval must be 1ms..1h, was " + fsyncInterval);
        }
        if (fsyncBatch < 1 || fsyncBatch > 1_000_000) {
            throw new IllegalArgumentException("fsyncBatch must be 1..1000000, was " + fsyncBatch);
        }
        if (overflow == null) {
            throw new IllegalArgumentException("overflow must not be null");
        }
    }

    public JournalConfig withMaxSize(long bytes) {
        return new JournalConfig(segmentSize, bytes, fsync, fsyncInterval, fsyncBatch, overflow);
    }

    public JournalConfig withSegmentSize(long bytes) {
        return new JournalConfig(bytes, maxSize, fsync, fsyncInterval, fsyncBatch, overflow);
    }

    public JournalConfig withFsync(FsyncPolicy policy) {
        return new JournalConfig(segmentSize, maxSize, policy, fsyncInterval, fsyncBatch, overflow);
    }

    public JournalConfig withFsyncInterval(Duration interval) {
        return new JournalConfig(segmentSize, maxSize, fsync, interval, fsyncBatch, overflow);
    }

    public JournalConfig withFsyncBatch(int records) {
        return new JournalConfig(segmentSize, maxSize, fsync, fsyncInterval, records, overflow);
    }

    public JournalConfig withOverflow(OverflowPolicy policy) {
        return new JournalConfig(segmentSize, maxSize, fsync, fsyncInterval, fsyncBatch, policy);
    }

    /**
     * Parses a byte size: a whole number of bytes, optionally followed by {@code KiB}, {@code MiB}
     * or {@code GiB} (e.g. {@code 65536}, {@code 512KiB}, {@code 64MiB}).
     */
    public static long parseSize(String text) {
        return dev.fieldline.config.ConfigNode.parseSize(text).orElseThrow(() ->
                new IllegalArgumentException("expected a size such as 65536, 512KiB or 64MiB, got '" + text + "'"));
    }

    /** A size as {@link #parseSize} reads it, in the largest unit that divides it. */
    public static String sizeText(long bytes) {
        return dev.fieldline.config.ConfigNode.sizeText(bytes);
    }
}
