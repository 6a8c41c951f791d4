package lanes.trainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte, including broken ones. */
final class IdxBytes {
    private IdxBytes() {}

    /** A header with any magic type, dimension count and sizes, followed by {@code data}. */
    static byte[] idx(int type, int[] sizes, byte[] data) {
        return idx(0, 0, type, sizes.length, sizes, data);
    }

    static byte[] idx(int m0, int m1, int type, int dims, int[] sizes, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(m0);
        out.write(m1);
        out.write(type);
        out.write(dims);
        for (int s : sizes) {
            out.write(s >>> 24);
            out.write(s >>> 16);
            out.write(s >>> 8);
            out.write(s);
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** {@code count} images of {@code rows x cols}, pixel values a simple function of position. */
    static byte[] images(int count, int rows, int cols) {
        return idx(0x08, new int[] {count, rows, cols}, pixels(count * rows * cols));
    }

    static byte[] labels(int... labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) labels[i];
        return idx(0x08, new int[] {labels.length}, b);
    }

    static byte[] pixels(int n) {
        byte[] p = new byte[n];
        for (int i = 0; i < n; i++) p[i] = (byte) (i * 7 + 3);
        return p;
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }
}
