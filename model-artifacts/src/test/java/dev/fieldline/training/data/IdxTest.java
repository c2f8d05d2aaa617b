package dev.fieldline.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.testsupport.Peers;
import dev.fieldline.training.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path dir;

    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        byte[] data = {0, 1, 2, (byte) 200, (byte) 255, 7};
        Idx.UbyteArray plain = Idx.read(write("a-idx2-ubyte", idx(8, new int[] {2, 3}, data)));
        Idx.UbyteArray gz = Idx.read(write("a-idx2-ubyte.gz", gzip(idx(8, new int[] {2, 3}, data))));
        for (Idx.UbyteArray a : new Idx.UbyteArray[] {plain, gz}) {
            assertThat(a.dims()).containsExactly(2, 3);
            assertThat(a.data()).containsExactly(data);
            assertThat(a.get(3)).isEqualTo(200);
            assertThat(a.get(4)).isEqualTo(255);
        }
    }

    @Test
    void refusesMalformedFilesNamingFileAndOffset() throws IOException {
        Path badMagic = write("bad-magic", new byte[] {0x12, 0x34, 8, 1, 0, 0, 0, 1, 5});
        assertThatThrownBy(() -> Idx.read(badMagic)).isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(badMagic.toString()).hasMessageContaining("at byte 0")
                .hasMessageContaining("bad magic 12 34");

        Path floats = write("floats", idx(0x0D, new int[] {1}, new byte[4]));
        assertThatThrownBy(() -> Idx.read(floats)).hasMessageContaining("at byte 2")
                .hasMessageContaining("value type 0x0d is not supported, only 0x08");

        Path truncatedData = write("short", Arrays.copyOf(idx(8, new int[] {4, 4}, new byte[16]), 4 + 8 + 10));
        assertThatThrownBy(() -> Idx.read(truncatedData)).isInstanceOf(IdxFormatException.class)
                .satisfies(e -> assertThat(((IdxFormatException) e).offset()).isEqualTo(22))
                .hasMessageContaining("truncated: expected 16 bytes from offset 12, the file ends after 10");

        Path truncatedHeader = write("short-header", new byte[] {0, 0, 8, 3, 0, 0});
        assertThatThrownBy(() -> Idx.read(truncatedHeader)).hasMessageContaining("at byte 6").hasMessageContaining("truncated");

        Path truncatedGzip = write("short.gz", Arrays.copyOf(gzip(idx(8, new int[] {1000}, new byte[1000])), 30));
        assertThatThrownBy(() -> Idx.read(truncatedGzip)).isInstanceOf(IOException.class);

        Path huge = write("huge", idx(8, new int[] {60000, 65536, 65536}, new byte[0]));
        assertThatThrownBy(() -> Idx.read(huge)).isInstanceOf(IdxFormatException.class)
                .hasMessageContaining("at byte 8")
                .hasMessageContaining("dimensions [60000, 65536] already declare 3932160000 values, more than the limit of 67108864");

        Path negative = write("negative", idx(8, new int[] {-1}, new byte[0]));
        assertThatThrownBy(() -> Idx.read(negative)).hasMessageContaining("dimension 0 is 4294967295, must be 1..");

        Path tooManyDims = write("dims", idx(8, new int[] {1, 1, 1, 1, 1}, new byte[1]));
        assertThatThrownBy(() -> Idx.read(tooManyDims)).hasMessageContaining("at byte 3: 5 dimensions, must be 1..4");

        Path trailing = write("trailing", idx(8, new int[] {2}, new byte[3]));
        assertThatThrownBy(() -> Idx.read(trailing)).hasMessageContaining("at byte 10")
                .hasMessageContaining("data goes on after the 2 values");

        Path small = write("small", idx(8, new int[] {10, 10}, new byte[100]));
        assertThatThrownBy(() -> Idx.read(small, new Idx.Limits(2, 99)))
                .hasMessageContaining("more than the limit of 99");
    }

    @Test
    void fashionMnistChecksShapesAndLabels() throws IOException {
        write("train-images-idx3-ubyte", idx(8, new int[] {2, 28, 28}, new byte[2 * 784]));
        write("train-labels-idx1-ubyte.gz", gzip(idx(8, new int[] {2}, new byte[] {3, 9})));
        write("t10k-images-idx3-ubyte", idx(8, new int[] {1, 28, 28}, new byte[784]));
        Path labels = write("t10k-labels-idx1-ubyte", idx(8, new int[] {1}, new byte[] {10}));
        assertThatThrownBy(() -> FashionMnist.load(dir)).isInstanceOf(IdxFormatException.class)
                .hasMessageContaining(labels.toString()).hasMessageContaining("label 0 is 10, must be 0..9");
        write("t10k-labels-idx1-ubyte", idx(8, new int[] {1}, new byte[] {4}));
        FashionMnist small = FashionMnist.load(dir);
        assertThat(small.train().labels()).containsExactly(3, 9);
        assertThat(small.test().count()).isEqualTo(1);
        write("t10k-labels-idx1-ubyte", idx(8, new int[] {2}, new byte[] {4, 4}));
        assertThatThrownBy(() -> FashionMnist.load(dir)).hasMessageContaining("expected [1]");
        Files.delete(labels);
        assertThatThrownBy(() -> FashionMnist.load(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("dataset-fashion-mnist");
    }

    @Test
    void readsDebiansFashionMnist() throws IOException {
        Path d = FashionMnist.DEBIAN_DIR;
        Peers.requireData(d, FashionMnist.present(d), "Fashion-MNIST", "dataset-fashion-mnist");
        FashionMnist f = FashionMnist.load(d);
        assertThat(f.train().count()).isEqualTo(60_000);
        assertThat(f.test().count()).isEqualTo(10_000);
        assertThat(f.train().images()).hasSize(60_000 * 28 * 28);
        assertThat(f.test().images()).hasSize(10_000 * 28 * 28);
        int[] perClass = new int[10];
        for (int l : f.train().labels()) {
            perClass[l]++;
        }
        assertThat(perClass).containsOnly(6000); // the dataset is balanced
        assertThat(f.train().labels()[0]).isEqualTo(9); // the first training image is an ankle boot
        Dataset first = f.test().dataset(0, 100);
        assertThat(first.count()).isEqualTo(100);
        float max = 0;
        for (float v : first.inputs()) {
            assertThat(v).isBetween(0f, 1f);
            max = Math.max(max, v);
        }
        assertThat(max).isEqualTo(1f);
    }
}
