package dev.fieldline.agent.inference;

/**
 * An image: {@code height × width × channels} unsigned 8-bit samples, row-major, rows top-down,
 * channels interleaved (1 = grey, 3 = RGB).
 *
 * @param width columns
 * @param height rows
 * @param channels 1 or 3
 * @param pixels {@code height·width·channels} samples, each 0..255 as an unsigned byte
 */
public record Frame(int width, int height, int channels, byte[] pixels) {

    public Frame {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("width and height must be positive, were " + width + "x" + height);
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, was " + channels);
        }
        if (pixels.length != (long) width * height * channels) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " needs "
                    + (long) width * height * channels + " samples, got " + pixels.length);
        }
    }

    /** Sample {@code c} of pixel ({@code x}, {@code y}), 0..255. */
    public int at(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c] & 0xff;
    }
}
