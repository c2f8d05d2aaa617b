package dev.fieldline.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fieldline.agent.journal.JournalConfig.FsyncPolicy;
import dev.fieldline.agent.journal.JournalConfig.OverflowPolicy;
import dev.fieldline.agent.outbox.OutboxEntry;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryJournalTest {
    /** 8 header + 17 fixed body + 15 payload. */
    private static final int RECORD = 40;
    private static final JournalConfig SMALL = JournalConfig.DEFAULTS.withSegmentSize(1024).withFsync(FsyncPolicy.ALWAYS);

    @TempDir
    Path dir;
    private final List<TelemetryJournal> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(TelemetryJournal::close);
    }

    private TelemetryJournal open(JournalConfig config) {
        TelemetryJournal j = TelemetryJournal.open(dir, config);
        open.add(j);
        return j;
    }

    private TelemetryJournal open(JournalConfig config, SegmentFile.Opener opener) {
        TelemetryJournal j = TelemetryJournal.open(dir, config, opener);
        open.add(j);
        return j;
    }

    private static byte[] payload(long seq) {
        byte[] p = new byte[RECORD - 25];
        Arrays.fill(p, (byte) seq);
        ByteBuffer.wrap(p).putLong(seq);
        return p;
    }

    private static void append(TelemetryJournal j, long boot, long from, long to) {
        for (long s = from; s <= to; s++) {
            assertThat(j.add(MessageKind.TELEMETRY, new Sequence(boot, s), payload(s))).isTrue();
        }
    }

    /** Every held entry, in order. */
    private static List<OutboxEntry> all(TelemetryJournal j) {
        List<OutboxEntry> l = new ArrayList<>();
        long cursor = 0;
        for (Optional<OutboxEntry> e = j.after(cursor); e.isPresent(); e = j.after(cursor)) {
            l.add(e.get());
            cursor = e.get().position();
        }
        return l;
    }

    private static List<Long> seqs(TelemetryJournal j) {
        return all(j).stream().map(e -> e.sequence().seq()).toList();
    }

    private static List<Long> range(long from, long to) {
        List<Long> l = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void appendsReadsBackAndAcknowledges() {
        TelemetryJournal j = open(SMALL);
        append(j, 7, 1, 3);
        assertThat(j.add(MessageKind.COMMAND_RESULT, new Sequence(7, 4), new byte[] {1, 2})).isTrue();
        OutboxEntry first = j.after(0).orElseThrow();
        assertThat(first.kind()).isEqualTo(MessageKind.TELEMETRY);
        assertThat(first.sequence()).isEqualTo(new Sequence(7, 1));
        assertThat(first.payload()).isEqualTo(payload(1));
        OutboxEntry last = all(j).get(3);
        assertThat(last.kind()).isEqualTo(MessageKind.COMMAND_RESULT);
        assertThat(last.payload()).containsExactly(1, 2);
        assertThat(j.lastPosition()).isEqualTo(last.position());
        assertThat(j.remove(first)).isTrue();
        assertThat(j.remove(first)).isFalse();
        assertThat(j.size()).isEqualTo(3);
        assertThat(j.stats().bytes()).isEqualTo(2L * RECORD + 8 + 17 + 2);
        assertThat(seqs(j)).containsExactly(2L, 3L, 4L);
        assertThatThrownBy(() -> j.add(MessageKind.STATUS, new Sequence(7, 5), new byte[1]))
                .hasMessageContaining("STATUS is not journaled");
    }

    @Test
    void aSegmentIsDeletedOnceEveryEntryInItIsAcknowledged() {
        TelemetryJournal j = open(SMALL);
        append(j, 1, 1, 60); // 25 records of 40 bytes per 1 KiB segment: 3 segments
        assertThat(j.segmentFiles()).hasSize(3);
        Path firstFile = j.segmentFiles().get(0);
        List<OutboxEntry> entries = all(j);
        for (int i = 0; i < 24; i++) {
            j.remove(entries.get(i));
        }
        assertThat(firstFile).exists();
        j.remove(entries.get(24));
        assertThat(firstFile).doesNotExist();
        assertThat(j.segmentFiles()).hasSize(2);
        entries.subList(25, 60).forEach(j::remove);
        assertThat(j.segmentFiles()).hasSize(1); // the active segment stays
        assertThat(j.size()).isZero();
        assertThat(j.stats().bytes()).isZero();
    }

    @Test
    void aTornTailIsCutAtEveryByteOffsetAndAppendsContinue() throws IOException {
        try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
            append(j, 3, 1, 3);
        }
        Path seg = dir.resolve("00000001.seg");
        Path master = Files.copy(seg, dir.resolve("master"));
        long lastStart = 2L * RECORD;
        for (long cut = lastStart + 1; cut < 3L * RECORD; cut++) {
            Files.copy(master, seg, StandardCopyOption.REPLACE_EXISTING);
            try (var ch = java.nio.channels.FileChannel.open(seg, java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
                assertThat(seqs(j)).as("cut at %d", cut).containsExactly(1L, 2L);
                assertThat(j.stats().tornBytes()).isEqualTo(cut - lastStart);
                assertThat(j.stats().corruptRecords()).isZero();
                append(j, 4, 1, 1);
            }
            try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
                assertThat(all(j).stream().map(OutboxEntry::sequence))
                        .containsExactly(new Sequence(3, 1), new Sequence(3, 2), new Sequence(4, 1));
                assertThat(j.stats().tornBytes()).isZero();
            }
        }
    }

    @Test
    void aDamagedRecordInTheLastSegmentEndsIt() throws IOException {
        try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
            append(j, 1, 1, 5);
        }
        flipByte(dir.resolve("00000001.seg"), 2L * RECORD + 30);
        TelemetryJournal j = open(SMALL);
        assertThat(seqs(j)).containsExactly(1L, 2L);
        assertThat(j.stats().tornBytes()).isEqualTo(3L * RECORD);
        append(j, 2, 1, 1);
        assertThat(seqs(j)).containsExactly(1L, 2L, 1L);
    }

    @Test
    void aDamagedRecordInAnOlderSegmentIsCountedAndTheRestOfThatSegmentSkipped() throws IOException {
        try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
            append(j, 1, 1, 30); // segment 1: 1..25, segment 2: 26..30
        }
        flipByte(dir.resolve("00000001.seg"), 10L * RECORD + 4); // the CRC of record 11
        TelemetryJournal j = open(SMALL);
        List<Long> expected = range(1, 10);
        expected.addAll(range(26, 30));
        assertThat(seqs(j)).containsExactlyElementsOf(expected);
        assertThat(j.stats().corruptRecords()).isEqualTo(1);
        assertThat(j.stats().tornBytes()).isZero();
    }

    @Test
    void aRecordDamagedAfterOpeningIsSkippedWhenReadBack() throws IOException {
        TelemetryJournal j = open(SMALL);
        append(j, 1, 1, 3);
        flipByte(dir.resolve("00000001.seg"), RECORD + 30);
        assertThat(seqs(j)).containsExactly(1L, 3L);
        assertThat(j.stats().corruptRecords()).isEqualTo(1);
        assertThat(j.size()).isEqualTo(2);
    }

    private static void flipByte(Path file, long offset) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) offset] ^= 0x5a;
        Files.write(file, b);
    }

    @Test
    void fsyncAlwaysForcesEveryRecord() {
        TelemetryJournal j = open(SMALL.withFsync(FsyncPolicy.ALWAYS));
        append(j, 1, 1, 10);
        assertThat(j.stats().syncs()).isEqualTo(10);
    }

    @Test
    void fsyncBatchForcesEveryNRecordsOrWhenTheSenderReads() {
        TelemetryJournal j = open(SMALL.withFsync(FsyncPolicy.BATCH).withFsyncBatch(4));
        append(j, 1, 1, 10);
        assertThat(j.stats().syncs()).isEqualTo(2);
        j.after(0);
        assertThat(j.stats().syncs()).isEqualTo(3);
        j.after(0);
        assertThat(j.stats().syncs()).isEqualTo(3);
    }

    @Test
    void fsyncIntervalForcesInTheBackgroundAndOnClose() {
        TelemetryJournal slow = TelemetryJournal.open(dir.resolve("slow"),
                SMALL.withFsync(FsyncPolicy.INTERVAL).withFsyncInterval(Duration.ofHours(1)));
        append(slow, 1, 1, 10);
        slow.after(0);
        assertThat(slow.stats().syncs()).isZero();
        slow.close();
        assertThat(slow.stats().syncs()).isEqualTo(1);

        TelemetryJournal fast = open(SMALL.withFsync(FsyncPolicy.INTERVAL).withFsyncInterval(Duration.ofMillis(20)));
        append(fast, 1, 1, 5);
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.stats().syncs() == 1);
        await().during(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> fast.stats().syncs() == 1);
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().startsWith("fl-journal-sync-"));
        fast.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("fl-journal-sync-") && t.isAlive()));
    }

    private JournalConfig bounded(OverflowPolicy policy) {
        return SMALL.withMaxSize(100L * RECORD).withOverflow(policy);
    }

    @Test
    void dropOldestKeepsTheNewestAndCountsTheRest() {
        TelemetryJournal j = open(bounded(OverflowPolicy.DROP_OLDEST));
        append(j, 1, 1, 150);
        assertThat(seqs(j)).containsExactlyElementsOf(range(51, 150));
        assertThat(j.stats().droppedOldest()).isEqualTo(50);
        assertThat(j.stats().droppedNewest()).isZero();
        assertThat(j.stats().bytes()).isEqualTo(100L * RECORD);
        assertThat(j.samplingPaused()).isFalse();
    }

    @Test
    void dropNewestKeepsTheOldestAndCountsTheRefused() {
        TelemetryJournal j = open(bounded(OverflowPolicy.DROP_NEWEST));
        int refused = 0;
        for (long s = 1; s <= 150; s++) {
            if (!j.add(MessageKind.TELEMETRY, new Sequence(1, s), payload(s))) {
                refused++;
            }
        }
        assertThat(refused).isEqualTo(50);
        assertThat(seqs(j)).containsExactlyElementsOf(range(1, 100));
        assertThat(j.stats().droppedNewest()).isEqualTo(50);
        assertThat(j.stats().droppedOldest()).isZero();
    }

    @Test
    void stopSamplingPausesWhileFullAndResumesWhenSpaceFrees() {
        TelemetryJournal j = open(bounded(OverflowPolicy.STOP_SAMPLING));
        append(j, 1, 1, 99);
        assertThat(j.samplingPaused()).isFalse();
        append(j, 1, 100, 100);
        assertThat(j.samplingPaused()).isTrue();
        assertThat(j.add(MessageKind.COMMAND_RESULT, new Sequence(1, 101), payload(101))).isFalse();
        assertThat(j.stats().droppedNewest()).isEqualTo(1);
        j.remove(j.after(0).orElseThrow());
        assertThat(j.samplingPaused()).isFalse();
        append(j, 1, 101, 101);
        assertThat(seqs(j)).containsExactlyElementsOf(range(2, 101));
    }

    interface Condition {
        boolean holds() throws IOException;
    }

    /** Segment files whose writes fail (a full disk) while {@code full} is set, after writing half. */
    private static SegmentFile.Opener failing(Condition full, AtomicInteger failures) {
        return path -> {
            SegmentFile real = SegmentFile.open(path);
            return new SegmentFile() {
                @Override
                public void write(ByteBuffer src, long position) throws IOException {
                    if (full.holds()) {
                        failures.incrementAndGet();
                        ByteBuffer half = src.duplicate();
                        half.limit(src.position() + src.remaining() / 2);
                        real.write(half, position);
                        throw new IOException("No space left on device");
                    }
                    real.write(src, position);
                }

                @Override
                public int read(ByteBuffer dst, long position) throws IOException {
                    return real.read(dst, position);
                }

                @Override
                public long size() throws IOException {
                    return real.size();
                }

                @Override
                public void truncate(long size) throws IOException {
                    real.truncate(size);
                }

                @Override
                public void force() throws IOException {
                    real.force();
                }

                @Override
                public void close() throws IOException {
                    real.close();
                }
            };
        };
    }

    @Test
    void aFullDiskUnderDropNewestRefusesTheRecordCountsItAndLeavesNoGarbage() {
        AtomicBoolean full = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        TelemetryJournal j = open(SMALL.withOverflow(OverflowPolicy.DROP_NEWEST), failing(full::get, failures));
        append(j, 1, 1, 3);
        full.set(true);
        assertThat(j.add(MessageKind.TELEMETRY, new Sequence(1, 4), payload(4))).isFalse();
        assertThat(j.stats().droppedNewest()).isEqualTo(1);
        assertThat(j.stats().writeFailures()).isEqualTo(1);
        full.set(false);
        append(j, 1, 4, 5);
        j.close();
        TelemetryJournal reopened = open(SMALL);
        assertThat(seqs(reopened)).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(reopened.stats().tornBytes()).isZero();
    }

    @Test
    void aFullDiskUnderDropOldestFreesTheOldestSegmentAndWrites() throws IOException {
        AtomicBoolean armed = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        // the disk is full while more than one segment file exists
        TelemetryJournal j = open(SMALL.withOverflow(OverflowPolicy.DROP_OLDEST),
                failing(() -> armed.get() && segmentCount() > 1, failures));
        append(j, 1, 1, 30); // segment 1: 1..25, segment 2: 26..30
        Path first = j.segmentFiles().get(0);
        armed.set(true);
        append(j, 1, 31, 31);
        assertThat(first).doesNotExist();
        assertThat(j.stats().droppedOldest()).isEqualTo(25);
        assertThat(j.stats().droppedNewest()).isZero();
        assertThat(j.stats().writeFailures()).isEqualTo(1);
        assertThat(seqs(j)).containsExactlyElementsOf(range(26, 31));
    }

    @Test
    void aFullDiskWithNothingLeftToDropRefusesTheRecord() {
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean full = new AtomicBoolean();
        TelemetryJournal j = open(SMALL.withOverflow(OverflowPolicy.DROP_OLDEST), failing(full::get, failures));
        append(j, 1, 1, 3);
        full.set(true);
        assertThat(j.add(MessageKind.TELEMETRY, new Sequence(1, 4), payload(4))).isFalse();
        assertThat(j.stats().droppedNewest()).isEqualTo(1);
        assertThat(j.stats().droppedOldest()).isZero();
        assertThat(seqs(j)).containsExactly(1L, 2L, 3L);
    }

    private long segmentCount() throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void aFullDiskUnderStopSamplingPausesSampling() {
        AtomicBoolean full = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        TelemetryJournal j = open(SMALL.withOverflow(OverflowPolicy.STOP_SAMPLING), failing(full::get, failures));
        assertThat(j.add(MessageKind.TELEMETRY, new Sequence(1, 1), payload(1))).isFalse();
        assertThat(j.samplingPaused()).isTrue();
        assertThat(j.stats().droppedNewest()).isEqualTo(1);
        full.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> !j.samplingPaused());
        append(j, 1, 1, 1);
        assertThat(j.stats().writeFailures()).isEqualTo(1);
    }

    @Test
    void aRestartKeepsOrderAndOriginalSequences() {
        try (TelemetryJournal j = TelemetryJournal.open(dir, SMALL)) {
            append(j, 1, 1, 40);
            List<OutboxEntry> e = all(j);
            e.subList(0, 10).forEach(j::remove);
        }
        TelemetryJournal j = open(SMALL);
        append(j, 2, 1, 5);
        List<Sequence> seen = all(j).stream().map(OutboxEntry::sequence).toList();
        // acknowledged entries of a segment still in use may come back (at-least-once; the gateway deduplicates)
        assertThat(seen.subList(seen.size() - 20, seen.size())).containsExactlyElementsOf(
                concat(range(26, 40).stream().map(s -> new Sequence(1, s)).toList(),
                        range(1, 5).stream().map(s -> new Sequence(2, s)).toList()));
        assertThat(seen).isSorted();
        assertThat(seen.get(0).seq()).isLessThanOrEqualTo(11);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> l = new ArrayList<>(a);
        l.addAll(b);
        return l;
    }

    @Test
    void holdsAnIndexNotThePayloads() {
        TelemetryJournal j = open(JournalConfig.DEFAULTS.withFsync(FsyncPolicy.INTERVAL).withFsyncInterval(Duration.ofHours(1)));
        byte[] big = new byte[4096];
        long before = usedHeapAfterGc();
        for (int s = 1; s <= 10_000; s++) { // 41 MB on disk
            assertThat(j.add(MessageKind.TELEMETRY, new Sequence(1, s), big)).isTrue();
        }
        long grown = usedHeapAfterGc() - before;
        assertThat(j.stats().bytes()).isGreaterThan(40_000_000);
        assertThat(grown).as("heap growth for 40 MB held").isLessThan(8_000_000);
        assertThat(j.after(9_999).orElseThrow().payload()).hasSize(4096);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
