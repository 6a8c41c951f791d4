package lanes.trainer;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes unsigned-byte IDX files, raw or gzip, in the layout {@link IdxReader} reads. */
public final class IdxWriter {
    private IdxWriter() {}

    /** Writes images as IDX ({@code 00 00 08 03}); gzip-compressed when {@code gzip} is set. */
    public static void writeImages(Path file, IdxImages images, boolean gzip) throws IOException {
        try (OutputStream out = open(file, gzip)) {
            writeImages(out, images);
        }
    }

    /** Writes labels as IDX ({@code 00 00 08 01}); gzip-compressed when {@code gzip} is set. */
    public static void writeLabels(Path file, byte[] labels, boolean gzip) throws IOException {
        try (OutputStream out = open(file, gzip)) {
            writeLabels(out, labels);
        }
    }

    /** Writes the raw IDX bytes of {@code images} to {@code out} (not closed). */
    public static void writeImages(OutputStream out, IdxImages images) throws IOException {
        writeHeader(out, images.count(), images.rows(), images.cols());
        out.write(images.pixels());
    }

    /** Writes the raw IDX bytes of {@code labels} to {@code out} (not closed). */
    public static void writeLabels(OutputStream out, byte[] labels) throws IOException {
        writeHeader(out, labels.length);
        out.write(labels);
    }

    private static void writeHeader(OutputStream out, int... dims) throws IOException {
        out.write(new byte[] {0, 0, IdxReader.TYPE_UBYTE, (byte) dims.length});
        for (int d : dims) {
            out.write(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
    }

    private static OutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        return gzip ? new GZIPOutputStream(out, 1 << 16) : out;
    }
}
