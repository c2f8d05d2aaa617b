package dev.fieldline.agent.journal;

import dev.fieldline.agent.internal.NamedThreads;
import dev.fieldline.agent.journal.JournalConfig.FsyncPolicy;
import dev.fieldline.agent.journal.JournalConfig.OverflowPolicy;
import dev.fieldline.agent.outbox.Outbox;
import dev.fieldline.agent.outbox.OutboxEntry;
import dev.fieldline.agent.outbox.OutboxStats;
import dev.fieldline.protocol.MessageKind;
import dev.fieldline.protocol.Sequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's durable outbox: append-only segment files ({@code 00000001.seg}, ...) of
 * checksummed records in one directory. The format, recovery rules and fsync policies are
 * described in {@code docs/journal.md}.
 *
 * <p>Memory: per held entry only its offset in its segment (an {@code int}) and one bit; kinds,
 * sequences and payloads are read back from the file when the sender asks for the entry.
 *
 * <p>Thread-safe: every operation holds the journal's lock (appends, syncs and reads are short
 * local file operations; nothing waits for the network).
 */
public final class TelemetryJournal implements Outbox {
    private static final Logger log = LoggerFactory.getLogger(TelemetryJournal.class);
    /** length (u32) + CRC-32C (u32). */
    static final int HEADER = 8;
    /** kind (u8) + bootId (u64) + seq (u64). */
    static final int BODY_FIXED = 17;
    /** Largest payload accepted (and largest record length believed when recovering). */
    public static final int MAX_PAYLOAD = 1 << 24;
    private static final Pattern SEGMENT_NAME = Pattern.compile("(\\d{8})\\.seg");
    /** After the disk refused a write, sampling pauses (stop-sampling) this long before trying again. */
    private static final long DISK_FULL_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Path dir;
    private final JournalConfig config;
    private final SegmentFile.Opener opener;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService syncer;
    private final CRC32C crc = new CRC32C();

    private Segment active;
    private SegmentFile activeFile;
    private Segment readSegment;
    private SegmentFile readFile;
    private long nextPosition = 1;
    private int entries;
    private long bytes;
    private int unsynced;
    private long diskFullAtNanos;
    private boolean diskFull;
    private boolean syncFailureLogged;
    private boolean closed;
    private long appended;
    private long droppedOldest;
    private long droppedNewest;
    private long writeFailures;
    private long corruptRecords;
    private long tornBytes;
    private long syncs;

    /** One segment file and the index of its records. */
    private static final class Segment {
        final long id;
        final Path path;
        final long firstPosition;
        int[] offsets = new int[64];
        int count;
        /** Records committed, dropped or found corrupt. */
        final BitSet gone = new BitSet();
        int held;
        /** Bytes of valid records (the write position of the active segment). */
        long end;

        Segment(long id, Path path, long firstPosition) {
            this.id = id;
            this.path = path;
            this.firstPosition = firstPosition;
        }

        void add(long offset) {
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, count * 2);
            }
            offsets[count++] = (int) offset;
            held++;
        }

        long sizeOf(int i) {
            return (i + 1 < count ? offsets[i + 1] : end) - offsets[i];
        }

        long lastPosition() {
            return firstPosition + count - 1;
        }
    }

    private TelemetryJournal(Path dir, JournalConfig config, SegmentFile.Opener opener) {
        this.dir = dir;
        this.config = config;
        this.opener = opener;
        this.syncer = config.fsync() == FsyncPolicy.INTERVAL
                ? NamedThreads.scheduler("fl-journal-sync-" + dir.getFileName()) : null;
    }

    /** Opens (creating if needed) the journal in {@code dir}, recovering what is there. */
    public static TelemetryJournal open(Path dir, JournalConfig config) {
        return open(dir, config, SegmentFile::open);
    }

    /** As {@link #open(Path, JournalConfig)}, with the way segment files are opened injected (tests). */
    public static TelemetryJournal open(Path dir, JournalConfig config, SegmentFile.Opener opener) {
        if (dir == null) {
            throw new IllegalArgumentException("dir must not be null");
        }
        if (config == null) {
            throw new IllegalArgumentException("config must not be null");
        }
        if (opener == null) {
            throw new IllegalArgumentException("opener must not be null");
        }
        TelemetryJournal j = new TelemetryJournal(dir, config, opener);
        try {
            j.recover();
        } catch (IOException e) {
            j.close();
            throw new UncheckedIOException("journal " + dir + ": cannot open: " + e.getMessage(), e);
        }
        if (j.syncer != null) {
            long t = config.fsyncInterval().toNanos();
            j.syncer.scheduleWithFixedDelay(j::syncIfNeeded, t, t, TimeUnit.NANOSECONDS);
        }
        return j;
    }

    // ---------------------------------------------------------------- recovery

    private void recover() throws IOException {
        Files.createDirectories(dir);
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.forEach(p -> {
                Matcher m = SEGMENT_NAME.matcher(p.getFileName().toString());
                if (m.matches()) {
                    ids.add(Long.parseLong(m.group(1)));
                }
            });
        }
        ids.sort(null);
        int corruptBefore = 0;
        for (int k = 0; k < ids.size(); k++) {
            boolean last = k == ids.size() - 1;
            Segment s = new Segment(ids.get(k), segmentPath(ids.get(k)), nextPosition);
            SegmentFile f = opener.open(s.path);
            try {
                long bad = scan(s, f);
                long size = f.size();
                if (bad >= 0 && last) {
                    tornBytes += size - bad;
                    f.truncate(bad);
                    f.force();
                    log.warn("journal {}: {} bytes torn off the end of {} (an interrupted write); {} records kept",
                            dir, size - bad, s.path.getFileName(), s.count);
                } else if (bad >= 0) {
                    corruptRecords++;
                    corruptBefore++;
                }
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
            nextPosition += s.count;
            if (last) {
                active = s;
                activeFile = f;
            } else {
                f.close();
                if (s.count == 0) {
                    Files.deleteIfExists(s.path);
                    continue;
                }
            }
            segments.addLast(s);
        }
        if (corruptBefore > 0) {
            log.warn("journal {}: {} segment(s) had a damaged record; the rest of each such segment was skipped",
                    dir, corruptBefore);
        }
        if (active == null) {
            startSegment(1);
        }
        if (entries > 0) {
            log.info("journal {}: {} unacknowledged entries ({} bytes) in {} segment(s) recovered", dir, entries,
                    bytes, segments.size());
        }
    }

    /** Indexes the valid records of a segment; returns the offset of the first bad one, or -1. */
    private long scan(Segment s, SegmentFile f) throws IOException {
        long size = f.size();
        long pos = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (pos < size) {
            header.clear();
            if (f.read(header, pos) < HEADER) {
                return pos;
            }
            long len = Integer.toUnsignedLong(header.getInt(0));
            int expected = header.getInt(4);
            if (len < BODY_FIXED || len > BODY_FIXED + MAX_PAYLOAD || pos + HEADER + len > size) {
                return pos;
            }
            ByteBuffer body = ByteBuffer.allocate((int) len);
            if (f.read(body, pos + HEADER) < len || checksum(body.array()) != expected || decode(body.array(), 0) == null) {
                return pos;
            }
            s.add(pos);
            entries++;
            bytes += HEADER + len;
            pos += HEADER + len;
            s.end = pos;
        }
        return -1;
    }

    // ---------------------------------------------------------------- appending

    @Override
    public boolean add(MessageKind kind, Sequence sequence, byte[] payload) {
        byte code = kindCode(kind);
        if (sequence == null) {
            throw new IllegalArgumentException("sequence must not be null");
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        long size = HEADER + BODY_FIXED + (long) payload.length;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("journal " + dir + " is closed");
            }
            if (payload.length > MAX_PAYLOAD || size > config.maxSize() || !makeRoom(size)) {
                droppedNewest++;
                return false;
            }
            if (!append(code, sequence, payload, size)) {
                return false;
            }
        }
        for (Runnable l : listeners) {
            l.run();
        }
        return true;
    }

    private boolean makeRoom(long size) {
        while (bytes + size > config.maxSize()) {
            if (config.overflow() != OverflowPolicy.DROP_OLDEST || !dropOldest()) {
                return false;
            }
        }
        return true;
    }

    private boolean dropOldest() {
        for (Segment s : segments) {
            if (s.held > 0) {
                release(s, s.gone.nextClearBit(0));
                droppedOldest++;
                return true;
            }
        }
        return false;
    }

    private boolean append(byte code, Sequence sequence, byte[] payload, long size) {
        ByteBuffer record = encode(code, sequence, payload);
        while (true) {
            long at = active.end;
            try {
                if (at > 0 && at + size > config.segmentSize()) {
                    roll();
                    at = 0;
                }
                activeFile.write(record, at);
                break;
            } catch (IOException e) {
                writeFailures++;
                diskFull = true;
                diskFullAtNanos = System.nanoTime();
                log.debug("journal {}: write failed: {}", dir, e.toString());
                restoreAfterFailedWrite(at);
                record.rewind();
                if (config.overflow() == OverflowPolicy.DROP_OLDEST && dropOldestSegment()) {
                    continue;
                }
                droppedNewest++;
                return false;
            }
        }
        diskFull = false;
        active.add(active.end);
        active.end += size;
        entries++;
        bytes += size;
        nextPosition++;
        appended++;
        unsynced++;
        if (config.fsync() == FsyncPolicy.ALWAYS
                || (config.fsync() == FsyncPolicy.BATCH && unsynced >= config.fsyncBatch())) {
            sync();
        }
        return true;
    }

    private void restoreAfterFailedWrite(long at) {
        try {
            if (activeFile != null && activeFile.size() > at) {
                activeFile.truncate(at);
            }
        } catch (IOException e) {
            // the next record overwrites from the same offset; leftovers beyond it are cut as a torn tail on open
            log.debug("journal {}: truncate after a failed write failed: {}", dir, e.toString());
        }
    }

    /** Frees disk space by dropping every held entry of the oldest segment that is not the active one. */
    private boolean dropOldestSegment() {
        Segment oldest = segments.peekFirst();
        if (oldest == null || oldest == active) {
            return false;
        }
        int dropped = oldest.held;
        for (int i = oldest.gone.nextClearBit(0); i < oldest.count; i = oldest.gone.nextClearBit(i + 1)) {
            release(oldest, i);
        }
        droppedOldest += dropped;
        return true;
    }

    private void roll() throws IOException {
        if (unsynced > 0) {
            // every segment but the last is complete on disk: only the last can have a torn tail
            sync();
        }
        Segment old = active;
        SegmentFile oldFile = activeFile;
        startSegment(old.id + 1);
        oldFile.close();
        if (old.held == 0) {
            delete(old);
        }
    }

    private void startSegment(long id) throws IOException {
        Segment s = new Segment(id, segmentPath(id), nextPosition);
        SegmentFile f = opener.open(s.path);
        syncDirectory();
        segments.addLast(s);
        active = s;
        activeFile = f;
    }

    private void syncDirectory() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            log.debug("journal {}: directory sync not supported: {}", dir, e.toString());
        }
    }

    private synchronized void syncIfNeeded() {
        if (!closed && unsynced > 0) {
            sync();
        }
    }

    private void sync() {
        try {
            activeFile.force();
            syncs++;
            unsynced = 0;
        } catch (IOException e) {
            writeFailures++;
            if (!syncFailureLogged) {
                syncFailureLogged = true;
                log.warn("journal {}: sync failed (recent records may not survive a power loss): {}", dir, e.toString());
            }
        }
    }

    private ByteBuffer encode(byte code, Sequence sequence, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + BODY_FIXED + payload.length);
        b.putInt(BODY_FIXED + payload.length).putInt(0).put(code).putLong(sequence.bootId()).putLong(sequence.seq())
                .put(payload);
        b.putInt(4, checksum(Arrays.copyOfRange(b.array(), HEADER, b.capacity())));
        b.flip();
        return b;
    }

    private int checksum(byte[] body) {
        crc.reset();
        crc.update(body, 0, body.length);
        return (int) crc.getValue();
    }

    // ---------------------------------------------------------------- reading and acknowledging

    @Override
    public synchronized boolean samplingPaused() {
        if (config.overflow() != OverflowPolicy.STOP_SAMPLING) {
            return false;
        }
        if (diskFull && System.nanoTime() - diskFullAtNanos < DISK_FULL_PAUSE_NANOS) {
            return true;
        }
        long typical = entries == 0 ? HEADER + BODY_FIXED : bytes / entries;
        return bytes + typical > config.maxSize();
    }

    @Override
    public synchronized Optional<OutboxEntry> after(long position) {
        if (closed) {
            return Optional.empty();
        }
        if (config.fsync() == FsyncPolicy.BATCH && unsynced > 0) {
            sync();
        }
        while (true) {
            Optional<Segment> seg = segments.stream()
                    .filter(s -> s.held > 0 && s.lastPosition() > position)
                    .filter(s -> s.gone.nextClearBit(firstIndex(s, position)) < s.count)
                    .findFirst();
            if (seg.isEmpty()) {
                return Optional.empty();
            }
            Segment s = seg.get();
            int i = s.gone.nextClearBit(firstIndex(s, position));
            OutboxEntry e = read(s, i);
            if (e != null) {
                return Optional.of(e);
            }
            corruptRecords++;
            log.warn("journal {}: record {} of {} is damaged, skipped", dir, i, s.path.getFileName());
            release(s, i);
        }
    }

    private static int firstIndex(Segment s, long after) {
        return (int) Math.max(0, after + 1 - s.firstPosition);
    }

    private OutboxEntry read(Segment s, int i) {
        try {
            SegmentFile f = s == active ? activeFile : reader(s);
            ByteBuffer buf = ByteBuffer.allocate((int) s.sizeOf(i));
            if (f.read(buf, s.offsets[i]) < buf.capacity()) {
                return null;
            }
            byte[] body = Arrays.copyOfRange(buf.array(), HEADER, buf.capacity());
            if (buf.getInt(0) != body.length || checksum(body) != buf.getInt(4)) {
                return null;
            }
            Decoded d = decode(body, s.firstPosition + i);
            return d == null ? null : d.entry();
        } catch (IOException e) {
            log.debug("journal {}: read failed: {}", dir, e.toString());
            return null;
        }
    }

    private record Decoded(OutboxEntry entry) {
    }

    private static Decoded decode(byte[] body, long position) {
        MessageKind kind = kindOf(body[0]);
        ByteBuffer b = ByteBuffer.wrap(body);
        long bootId = b.getLong(1);
        long seq = b.getLong(9);
        if (kind == null || bootId < 0 || seq < 1) {
            return null;
        }
        return new Decoded(new OutboxEntry(position, kind, new Sequence(bootId, seq),
                Arrays.copyOfRange(body, BODY_FIXED, body.length)));
    }

    private SegmentFile reader(Segment s) throws IOException {
        if (readSegment != s) {
            closeReader();
            readFile = opener.open(s.path);
            readSegment = s;
        }
        return readFile;
    }

    private void closeReader() {
        if (readFile != null) {
            try {
                readFile.close();
            } catch (IOException e) {
                log.debug("journal {}: close failed: {}", dir, e.toString());
            }
            readFile = null;
            readSegment = null;
        }
    }

    @Override
    public synchronized long lastPosition() {
        return nextPosition - 1;
    }

    @Override
    public synchronized boolean remove(OutboxEntry entry) {
        if (entry == null) {
            throw new IllegalArgumentException("entry must not be null");
        }
        long p = entry.position();
        for (Segment s : segments) {
            if (p >= s.firstPosition && p <= s.lastPosition()) {
                int i = (int) (p - s.firstPosition);
                if (s.gone.get(i)) {
                    return false;
                }
                release(s, i);
                return true;
            }
        }
        return false;
    }

    /** Marks entry {@code i} of {@code s} gone; deletes the segment once nothing in it is held. */
    private void release(Segment s, int i) {
        s.gone.set(i);
        s.held--;
        entries--;
        bytes -= s.sizeOf(i);
        if (s.held == 0 && s != active) {
            delete(s);
        }
    }

    private void delete(Segment s) {
        segments.remove(s);
        if (readSegment == s) {
            closeReader();
        }
        try {
            Files.deleteIfExists(s.path);
            diskFull = false;
        } catch (IOException e) {
            log.warn("journal {}: cannot delete {}: {}", dir, s.path.getFileName(), e.toString());
        }
    }

    @Override
    public synchronized int size() {
        return entries;
    }

    @Override
    public synchronized OutboxStats stats() {
        return new OutboxStats(entries, bytes, appended, droppedOldest, droppedNewest, writeFailures, corruptRecords,
                tornBytes, syncs);
    }

    /** Segment files present now (oldest first), for tests and diagnostics. */
    public synchronized List<Path> segmentFiles() {
        return segments.stream().map(s -> s.path).toList();
    }

    public Path directory() {
        return dir;
    }

    public JournalConfig config() {
        return config;
    }

    @Override
    public void onAdd(Runnable listener) {
        listeners.add(listener);
    }

    /** Syncs what was appended, stops the sync thread and closes the files. */
    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeReader();
            if (activeFile != null) {
                if (unsynced > 0) {
                    sync();
                }
                try {
                    activeFile.close();
                } catch (IOException e) {
                    log.debug("journal {}: close failed: {}", dir, e.toString());
                }
            }
        }
    }

    private Path segmentPath(long id) {
        return dir.resolve(String.format("%08d.seg", id));
    }

    private static byte kindCode(MessageKind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        return switch (kind) {
            case TELEMETRY -> 1;
            case EVENT -> 2;
            case COMMAND_RESULT -> 3;
            default -> throw new IllegalArgumentException("kind " + kind + " is not journaled");
        };
    }

    private static MessageKind kindOf(byte code) {
        return switch (code) {
            case 1 -> MessageKind.TELEMETRY;
            case 2 -> MessageKind.EVENT;
            case 3 -> MessageKind.COMMAND_RESULT;
            default -> null;
        };
    }
}
