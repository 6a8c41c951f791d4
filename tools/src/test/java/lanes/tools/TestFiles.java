package lanes.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import lanes.trainer.Dataset;
import lanes.trainer.IdxImages;
import lanes.trainer.IdxWriter;

/** Small data sets and archives for the fetch tests; nothing here touches the network. */
final class TestFiles {
    private TestFiles() {}

    /** A 2x2, 3-class data set with 4 train and 2 test images, no mirrors. */
    static DatasetSpec tinySpec(Map<String, Checksum> published) {
        return new DatasetSpec("tiny", 2, 2, 3, 4, 2, List.of(), published, List.of());
    }

    /** Writes a valid tiny set (as {@link #tinySpec}) into {@code dir}; {@code seed} varies the pixels. */
    static Map<String, Path> writeTinySet(Path dir, int seed) throws IOException {
        Files.createDirectories(dir);
        return writeSet(dir, 2, 2, 4, 2, 3, seed);
    }

    static Map<String, Path> writeSet(Path dir, int rows, int cols, int train, int test, int classes, int seed)
            throws IOException {
        Files.createDirectories(dir);
        Map<String, Path> files = new LinkedHashMap<>();
        for (String split : Dataset.SPLITS) {
            int n = split.equals("train") ? train : test;
            byte[] pixels = new byte[n * rows * cols];
            for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i * 31 + seed);
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) labels[i] = (byte) ((i + seed) % classes);
            Path img = dir.resolve(Dataset.imagesName(split)), lab = dir.resolve(Dataset.labelsName(split));
            IdxWriter.writeImages(img, new IdxImages(pixels, n, rows, cols), true);
            IdxWriter.writeLabels(lab, labels, true);
            files.put(img.getFileName().toString(), img);
            files.put(lab.getFileName().toString(), lab);
        }
        return files;
    }

    /** SHA-256 of each file, as "published" checksums. */
    static Map<String, Checksum> sha256Of(Map<String, Path> files) throws IOException {
        Map<String, Checksum> m = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            m.put(e.getKey(), Checksum.sha256(Checksum.compute("SHA-256", e.getValue())));
        }
        return m;
    }

    /** A .tar.gz of {@code entries} (name to content), ustar headers; a pax header renames the entry named "pax:NAME". */
    static void tarGz(Path file, Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("pax:")) {
                String real = name.substring(4);
                entry(tar, "PaxHeader/x", 'x', fixLength(("0 path=" + real + "\n").getBytes(StandardCharsets.UTF_8)));
                name = "placeholder-name";
            }
            entry(tar, name, name.endsWith("/") ? '5' : '0', e.getValue());
        }
        tar.write(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(tar.toByteArray());
        }
        Files.write(file, gz.toByteArray());
    }

    /** Rewrites a pax record so its leading length counts itself exactly. */
    private static byte[] fixLength(byte[] pax) {
        String s = new String(pax, StandardCharsets.UTF_8);
        String rest = s.substring(s.indexOf(' '));
        for (int digits = 1; digits < 6; digits++) {
            int len = digits + rest.length();
            if (String.valueOf(len).length() == digits) return (len + rest).getBytes(StandardCharsets.UTF_8);
        }
        throw new IllegalStateException();
    }

    private static void entry(ByteArrayOutputStream tar, String name, char type, byte[] body) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 124, String.format("%011o", body.length));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 257, "ustar");
        put(h, 263, "00");
        tar.writeBytes(h);
        tar.writeBytes(body);
        tar.writeBytes(new byte[(512 - body.length % 512) % 512]);
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
