package lanes.fuzz;

import static lanes.engine.TestWeights.model;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.imageio.ImageIO;
import lanes.engine.Activation;
import lanes.engine.Metadata;
import lanes.engine.WeightFile;
import lanes.engine.Weights;

/**
 * Writes the seed corpus of every fuzz target into {@code fuzz/src/test/resources/lanes/fuzz/}: small valid
 * inputs, so the fuzzer starts from the formats rather than from nothing. Run once by hand when a format
 * changes (the files are committed; the test suite only reads them):
 * <pre>
 * java -cp fuzz/target/test-classes:trainer/target/classes:engine/target/classes:engine/target/test-classes:kernels/target/classes:interchange/target/classes \
 *     lanes.fuzz.SeedCorpus fuzz/src/test/resources tools/samples interchange/src/test/resources/lanes/interchange/keras/generated \
 *     interchange/src/test/resources/lanes/interchange/onnx
 * </pre>
 * Seeds are named {@code seed-*}; the fuzzer's findings, kept as regression cases, are named
 * {@code crash-*} or {@code timeout-*} by Jazzer.
 */
public final class SeedCorpus {

    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "fuzz/src/test/resources").resolve("lanes/fuzz");
        idx(root.resolve("IdxFuzzTestInputs"));
        weights(root.resolve("WeightFileFuzzTestInputs"));
        cli(root.resolve("CliFuzzTestInputs/args"));
        images(root.resolve("ImageFuzzTestInputs/preprocess"), Path.of(args.length > 1 ? args[1] : "tools/samples"));
        keras(root.resolve("KerasFuzzTestInputs"),
                Path.of(args.length > 2 ? args[2] : "interchange/src/test/resources/lanes/interchange/keras/generated"));
        onnx(root.resolve("OnnxFuzzTestInputs/model"), Path.of(args.length > 3 ? args[3] : "interchange/src/test/resources/lanes/interchange/onnx"));
    }

    // ---------------------------------------------------------------------------------------------------
    // ONNX: the small committed fixtures (PyTorch's own and hand-built graphs) and Lanes' own exports

    private static void onnx(Path dir, Path fixtures) throws IOException {
        for (String name : List.of("gemm_attrs", "same_pool", "unsupported", "cnn")) {
            write(dir, "seed-" + name + ".onnx", Files.readAllBytes(fixtures.resolve(name).resolve("model.onnx")));
        }
        write(dir, "seed-lanes-3-4-2-softmax.onnx", lanes.interchange.OnnxExporter.toBytes(
                model(1, Metadata.unknown(), 3, Activation.SOFTMAX, 4, 2)));
    }

    // ---------------------------------------------------------------------------------------------------
    // IDX

    static byte[] idxImages(int count, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
        b.putInt(0x00000803).putInt(count).putInt(rows).putInt(cols);
        for (int i = 0; i < count * rows * cols; i++) b.put((byte) (i * 37 + 11));
        return b.array();
    }

    static byte[] idxLabels(int count) {
        ByteBuffer b = ByteBuffer.allocate(8 + count);
        b.putInt(0x00000801).putInt(count);
        for (int i = 0; i < count; i++) b.put((byte) (i % 10));
        return b.array();
    }

    private static void idx(Path dir) throws IOException {
        byte[] images = idxImages(3, 2, 4);
        byte[] labels = idxLabels(5);
        byte[] digit = idxImages(1, 28, 28);
        for (String method : List.of("raw", "gzipped")) {
            Path d = dir.resolve(method);
            write(d, "seed-images-3x2x4", images);
            write(d, "seed-labels-5", labels);
            write(d, "seed-images-1x28x28", digit);
        }
        Path raw = dir.resolve("raw");
        write(raw, "seed-images-3x2x4.gz", IdxFuzzTest.gzip(images));
        write(raw, "seed-labels-5.gz", IdxFuzzTest.gzip(labels));
        byte[] a = IdxFuzzTest.gzip(java.util.Arrays.copyOfRange(images, 0, 10));
        byte[] b = IdxFuzzTest.gzip(java.util.Arrays.copyOfRange(images, 10, images.length));
        byte[] two = new byte[a.length + b.length];
        System.arraycopy(a, 0, two, 0, a.length);
        System.arraycopy(b, 0, two, a.length, b.length);
        write(raw, "seed-images-two-gzip-members.gz", two);
    }

    // ---------------------------------------------------------------------------------------------------
    // Weight files

    private static void weights(Path dir) throws IOException {
        Instant created = Instant.ofEpochMilli(1_700_000_000_123L);
        var seeds = new java.util.LinkedHashMap<String, Weights>();
        seeds.put("seed-3-4-2-softmax.lnw", model(1, new Metadata("mnist", 3, 0.875, created), 3, Activation.SOFTMAX, 4, 2));
        seeds.put("seed-5-3-linear.lnw", model(2, Metadata.unknown(), 5, Activation.LINEAR, 3));
        seeds.put("seed-4-6-5-3-softmax.lnw", model(3, new Metadata("fashion-mnist", 10, Double.NaN, created),
                4, Activation.SOFTMAX, 6, 5, 3));
        seeds.put("seed-16-10-softmax-unicode-name.lnw", model(4, new Metadata("données-ü-数字", 1, 1.0, created),
                16, Activation.SOFTMAX, 10));
        // Version 2: every layer type with labels, a range and provenance; and a dense chain with labels.
        seeds.put("seed-v2-every-layer.lnw", lanes.engine.TestWeights.everyLayer(5));
        Weights dense = model(6, Metadata.unknown(), 4, Activation.SOFTMAX, 3, 2);
        seeds.put("seed-v2-dense-labels.lnw", new Weights(dense.inputShape(), dense.layers(), dense.metadata(),
                new lanes.engine.InputRange(-1, 1), List.of("no", "yes"), new lanes.engine.Provenance("onnx", "m.onnx", "13")));
        for (String method : List.of("stream", "file")) {
            for (var e : seeds.entrySet()) {
                Path f = dir.resolve(method).resolve(e.getKey());
                Files.createDirectories(f.getParent());
                WeightFile.write(f, e.getValue());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Command lines

    private static void cli(Path dir) throws IOException {
        String[][] argvs = {
            {"train", "--data", "data/mnist"},
            {"train", "--data", "data/mnist", "--epochs", "3", "--batch", "64", "--lr", "0.001", "--hidden", "32",
                    "--seed", "7", "--threads", "2", "--out", "m.lnw", "--history", "h.csv"},
            {"train", "--data", "d", "--arch", "conv2d(16,5,relu) maxpool(2) dense(10,softmax)", "--lr-schedule", "step:0.5@10",
                    "--patience", "3", "--augment", "affine,elastic"},
            {"train", "--help"},
            {"train", "--data", "d", "--epochs", "0"},
            {"train", "--lr", "1e-3"},
            {"predict", "digit.png"},
            {"predict", "--model", "m.lnw", "--top-k", "3", "--json", "--preprocess", "seed", "a.png", "b.gif"},
            {"predict", "--preprocess", "none", "--dump-input", "out", "x.bmp"},
            {"predict", "-h"},
            {"predict", "--top-k"},
            {"latency", "--data", "data/mnist", "--calls", "1000"},
            {"latency", "--model", "m.lnw"},
            {"fetch-data", "--dataset", "mnist"},
            {"fetch-data", "--dataset", "fashion-mnist", "--dir", "/tmp/data"},
            {"fetch-data", "--help"},
        };
        for (String[] argv : argvs) {
            String name = "seed-" + String.join("_", argv).replaceAll("[^A-Za-z0-9_.-]", "").replaceAll("_+", "_");
            write(dir, name, String.join("\0", argv).getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Images

    /** A dark "7" on light paper, drawn into an image of the given type. */
    static BufferedImage seven(int size, int type) {
        BufferedImage image = new BufferedImage(size, size, type);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(235, 230, 220));
        g.fillRect(0, 0, size, size);
        g.setColor(new Color(20, 20, 60));
        g.setStroke(new BasicStroke(Math.max(1f, size / 9f)));
        g.drawLine(size / 5, size / 4, size * 4 / 5, size / 4);
        g.drawLine(size * 4 / 5, size / 4, size * 2 / 5, size * 4 / 5);
        g.dispose();
        return image;
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) throw new IOException("no " + format + " writer for " + image);
        return out.toByteArray();
    }

    private static void images(Path dir, Path samples) throws IOException {
        System.setProperty("java.awt.headless", "true");
        write(dir, "seed-seven-28-grey.png", encode(seven(28, BufferedImage.TYPE_BYTE_GRAY), "png"));
        write(dir, "seed-seven-28-argb.png", encode(seven(28, BufferedImage.TYPE_INT_ARGB), "png"));
        write(dir, "seed-seven-20-grey16.png", encode(seven(20, BufferedImage.TYPE_USHORT_GRAY), "png"));
        write(dir, "seed-seven-28-palette.gif", encode(seven(28, BufferedImage.TYPE_BYTE_INDEXED), "gif"));
        write(dir, "seed-seven-28-rgb.jpg", encode(seven(28, BufferedImage.TYPE_INT_RGB), "jpeg"));
        write(dir, "seed-seven-28-grey.jpg", encode(seven(28, BufferedImage.TYPE_BYTE_GRAY), "jpeg"));
        write(dir, "seed-seven-24-rgb.bmp", encode(seven(24, BufferedImage.TYPE_INT_RGB), "bmp"));
        write(dir, "seed-seven-28-grey.bmp", encode(seven(28, BufferedImage.TYPE_BYTE_GRAY), "bmp"));
        write(dir, "seed-1x1.png", encode(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), "png"));
        // The shipped samples small enough for the fuzzer's 4 KiB inputs.
        if (Files.isDirectory(samples)) {
            try (var files = Files.list(samples)) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (name.matches("digit-.*\\.(png|gif|jpg|bmp)") && Files.size(f) <= 4096) {
                        write(dir, "seed-sample-" + name, Files.readAllBytes(f));
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Keras models

    /**
     * The small Keras-layout files bench/compare/keras_reference.py writes for the interchange tests (legacy
     * .h5 in both HDF5 layouts, .keras archives in both weight layouts, and files that must be refused): as
     * they are for {@code file}, and as config + weights for {@code archive}. Never the real shared fixtures.
     */
    private static void keras(Path dir, Path generated) throws IOException {
        try (var files = Files.list(generated)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                byte[] bytes = Files.readAllBytes(f);
                write(dir.resolve("file"), "seed-" + name, bytes);
                if (!name.endsWith(".keras")) continue;
                try (var zip = new java.util.zip.ZipFile(f.toFile())) {
                    byte[] config = zip.getInputStream(zip.getEntry("config.json")).readAllBytes();
                    byte[] weights = zip.getInputStream(zip.getEntry("model.weights.h5")).readAllBytes();
                    ByteBuffer b = ByteBuffer.allocate(2 + config.length + weights.length);
                    b.putShort((short) config.length).put(config).put(weights);
                    write(dir.resolve("archive"), "seed-" + name, b.array());
                }
            }
        }
    }

    private static void write(Path dir, String name, byte[] data) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
    }
}
