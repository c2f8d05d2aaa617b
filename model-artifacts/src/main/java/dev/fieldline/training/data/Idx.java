package dev.fieldline.training.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * A strict reader of IDX files (the MNIST format): a header {@code 00 00 type ndims}, {@code ndims}
 * big-endian int32 dimensions, then the values row-major. Only type {@code 0x08} (unsigned byte) is
 * accepted, which is what (Fashion-)MNIST uses. A gzip-compressed file (detected by its magic
 * {@code 1f 8b}) is decompressed on the fly. The file must end exactly after the declared values.
 * Sizes are checked against {@link Limits} before anything is allocated, so a header declaring
 * huge dimensions, or a gzip bomb, is refused, not read.
 */
public final class Idx {

    /** Type code of unsigned bytes in the IDX header. */
    public static final int UBYTE = 0x08;

    /**
     * Bounds on what a file may declare.
     *
     * @param maxDims largest number of dimensions (1..255)
     * @param maxValues largest number of values (product of the dimensions)
     */
    public record Limits(int maxDims, long maxValues) {
        /** 4 dimensions, 64 Mi values: Fashion-MNIST's training images are 47 M. */
        public static final Limits DEFAULT = new Limits(4, 64L << 20);

        public Limits {
            if (maxDims < 1 || maxDims > 255 || maxValues < 1 || maxValues > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxDims must be in 1..255 and maxValues in 1.." + (Integer.MAX_VALUE - 8)
                        + ", were " + maxDims + ", " + maxValues);
            }
        }
    }

    /**
     * The contents of an IDX file of unsigned bytes.
     *
     * @param dims the dimensions, outermost first
     * @param data the values row-major, each an unsigned byte ({@code data[i] & 0xff})
     */
    public record UbyteArray(int[] dims, byte[] data) {
        public UbyteArray {
            dims = dims.clone();
        }

        @Override
        public int[] dims() {
            return dims.clone();
        }

        /** Value {@code i} as 0..255. */
        public int get(int i) {
            return data[i] & 0xff;
        }

        @Override
        public String toString() {
            return "UbyteArray" + Arrays.toString(dims);
        }
    }

    private Idx() {
    }

    public static UbyteArray read(Path file) throws IOException {
        return read(file, Limits.DEFAULT);
    }

    public static UbyteArray read(Path file, Limits limits) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            if (b0 != 0x1f || b1 != 0x8b) {
                return read(file, raw, limits);
            }
            try (InputStream gz = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16)) {
                return read(file, gz, limits);
            }
        }
    }

    /** Reads from a stream already decompressed; {@code file} only names the source in errors. */
    public static UbyteArray read(Path file, InputStream in, Limits limits) throws IOException {
        byte[] header = new byte[4];
        readFully(file, in, header, 0, 4, 0);
        if (header[0] != 0 || header[1] != 0) {
            throw new IdxFormatException(file, 0, String.format(
                    "bad magic %02x %02x, an IDX file starts with 00 00 (then the type and the number of dimensions)",
                    header[0] & 0xff, header[1] & 0xff));
        }
        int type = header[2] & 0xff;
        if (type != UBYTE) {
            throw new IdxFormatException(file, 2, String.format("value type 0x%02x is not supported, only 0x08 (unsigned byte)", type));
        }
        int ndims = header[3] & 0xff;
        if (ndims < 1 || ndims > limits.maxDims()) {
            throw new IdxFormatException(file, 3, ndims + " dimensions, must be 1.." + limits.maxDims());
        }
        byte[] dimBytes = new byte[4 * ndims];
        readFully(file, in, dimBytes, 0, dimBytes.length, 4);
        int[] dims = new int[ndims];
        long values = 1;
        for (int d = 0; d < ndims; d++) {
            int o = 4 * d;
            dims[d] = (dimBytes[o] & 0xff) << 24 | (dimBytes[o + 1] & 0xff) << 16 | (dimBytes[o + 2] & 0xff) << 8
                    | dimBytes[o + 3] & 0xff;
            if (dims[d] < 1) {
                throw new IdxFormatException(file, 4 + o, "dimension " + d + " is " + Integer.toUnsignedString(dims[d])
                        + ", must be 1.." + Integer.MAX_VALUE);
            }
            values *= dims[d]; // at most (2^31)^d, checked each step so it cannot overflow
            if (values > limits.maxValues()) {
                throw new IdxFormatException(file, 4 + o, "dimensions " + Arrays.toString(Arrays.copyOf(dims, d + 1))
                        + " already declare " + values + " values, more than the limit of " + limits.maxValues());
            }
        }
        long dataStart = 4 + 4L * ndims;
        byte[] data = new byte[(int) values];
        readFully(file, in, data, 0, data.length, dataStart);
        if (in.read() != -1) {
            throw new IdxFormatException(file, dataStart + values, "data goes on after the " + values
                    + " values that the dimensions " + Arrays.toString(dims) + " declare");
        }
        return new UbyteArray(dims, data);
    }

    private static void readFully(Path file, InputStream in, byte[] b, int off, int len, long streamOffset)
            throws IOException {
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = in.read(b, off + done, len - done);
            } catch (EOFException e) {
                n = -1;
            }
            if (n < 0) {
                throw new IdxFormatException(file, streamOffset + done, "truncated: expected " + len + " bytes from offset "
                        + streamOffset + ", the file ends after " + done);
            }
            done += n;
        }
    }
}
