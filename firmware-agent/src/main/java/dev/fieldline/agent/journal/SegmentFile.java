package dev.fieldline.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One open segment file: positional reads and writes, size, truncate, force. The seam through
 * which tests inject write failures (a full disk); {@link #open} is the real thing.
 */
public interface SegmentFile extends AutoCloseable {

    /** Writes all of {@code src} at {@code position}. */
    void write(ByteBuffer src, long position) throws IOException;

    /** Reads into {@code dst} from {@code position} until it is full or the file ends; returns bytes read. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;

    /** Forces written data to the storage device ({@code FileChannel.force(false)}). */
    void force() throws IOException;

    @Override
    void close() throws IOException;

    /** Opens segment files. */
    @FunctionalInterface
    interface Opener {
        SegmentFile open(Path path) throws IOException;
    }

    /** Opens (creating if absent) a segment file for reading and writing with a {@link FileChannel}. */
    static SegmentFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new SegmentFile() {
            @Override
            public void write(ByteBuffer src, long position) throws IOException {
                long p = position;
                while (src.hasRemaining()) {
                    p += ch.write(src, p);
                }
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                int total = 0;
                while (dst.hasRemaining()) {
                    int n = ch.read(dst, position + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                return total;
            }

            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public void truncate(long size) throws IOException {
                ch.truncate(size);
            }

            @Override
            public void force() throws IOException {
                ch.force(false);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }
}
