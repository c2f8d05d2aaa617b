package dev.fieldline.training.data;

import java.io.IOException;
import java.nio.file.Path;

/** An IDX file that is malformed, truncated or over a limit; names the file and the byte offset of the problem. */
public final class IdxFormatException extends IOException {
    private final transient Path file;
    private final long offset;

    public IdxFormatException(Path file, long offset, String problem) {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    /** Offset in the (decompressed) IDX stream where the problem was found. */
    public long offset() {
        return offset;
    }
}
