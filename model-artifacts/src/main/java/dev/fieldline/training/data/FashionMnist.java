package dev.fieldline.training.data;

import dev.fieldline.training.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017): 28×28 grey images of 10 kinds of clothing, 60,000
 * for training and 10,000 for testing, read from the four IDX files of Debian's
 * {@code dataset-fashion-mnist} ({@link #DEBIAN_DIR}), gzip-compressed or not.
 *
 * @param train the training split
 * @param test the test split
 */
public record FashionMnist(Split train, Split test) {

    /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int ROWS = 28;
    public static final int COLS = 28;
    public static final int CLASSES = 10;

    /**
     * One split: images as unsigned bytes, {@code count × 28 × 28} row-major, and their labels.
     *
     * @param images pixels 0..255 ({@code images[i] & 0xff})
     * @param labels classes 0..9
     */
    public record Split(byte[] images, int[] labels) {
        public int count() {
            return labels.length;
        }

        /**
         * Examples {@code from..to-1} as a classification {@link Dataset}: inputs {@code 28×28×1} (NHWC,
         * one channel) scaled to 0..1, one-hot targets over 10 classes.
         */
        public Dataset dataset(int from, int to) {
            if (from < 0 || to > count() || from > to) {
                throw new IndexOutOfBoundsException("examples " + from + ".." + to + " of " + count());
            }
            int px = ROWS * COLS;
            float[] x = new float[(to - from) * px];
            for (int i = 0; i < x.length; i++) {
                x[i] = (images[from * px + i] & 0xff) / 255f;
            }
            return Dataset.classification(x, px, Arrays.copyOfRange(labels, from, to), CLASSES);
        }

        public Dataset dataset() {
            return dataset(0, count());
        }
    }

    /** Reads {@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]} and the two {@code t10k-} files. */
    public static FashionMnist load(Path dir) throws IOException {
        return new FashionMnist(split(dir, "train"), split(dir, "t10k"));
    }

    /** Whether {@code dir} holds the four files (compressed or not). */
    public static boolean present(Path dir) {
        for (String prefix : new String[] {"train", "t10k"}) {
            for (String kind : new String[] {"images-idx3", "labels-idx1"}) {
                String name = prefix + "-" + kind + "-ubyte";
                if (!Files.isRegularFile(dir.resolve(name)) && !Files.isRegularFile(dir.resolve(name + ".gz"))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Split split(Path dir, String prefix) throws IOException {
        Path imagesFile = file(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = file(dir, prefix + "-labels-idx1-ubyte");
        Idx.UbyteArray images = Idx.read(imagesFile);
        Idx.UbyteArray labels = Idx.read(labelsFile);
        int[] id = images.dims();
        if (id.length != 3 || id[1] != ROWS || id[2] != COLS) {
            throw new IdxFormatException(imagesFile, 4, "images have dimensions " + Arrays.toString(id)
                    + ", expected [count, 28, 28]");
        }
        int[] ld = labels.dims();
        if (ld.length != 1 || ld[0] != id[0]) {
            throw new IdxFormatException(labelsFile, 4, "labels have dimensions " + Arrays.toString(ld) + ", expected ["
                    + id[0] + "] to match " + imagesFile.getFileName());
        }
        int[] l = new int[ld[0]];
        for (int i = 0; i < l.length; i++) {
            l[i] = labels.get(i);
            if (l[i] >= CLASSES) {
                throw new IdxFormatException(labelsFile, 8L + i, "label " + i + " is " + l[i] + ", must be 0..9");
            }
        }
        return new Split(images.data(), l);
    }

    private static Path file(Path dir, String name) throws NoSuchFileException {
        Path plain = dir.resolve(name);
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        throw new NoSuchFileException(plain.toString(), null, "neither it nor " + gz.getFileName()
                + " exists (install Debian package 'dataset-fashion-mnist' for " + DEBIAN_DIR + ")");
    }
}
