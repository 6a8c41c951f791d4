package lanes.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImagePreprocessorTest {

    static final Pattern SAMPLE = Pattern.compile("digit-(\\d)-[a-z0-9-]+\\.(png|jpg|gif|bmp)");
    static final ImagePreprocessor P = new ImagePreprocessor();

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    static Path samplesDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("tools").resolve("samples");
            if (Files.isDirectory(s)) return s;
        }
        throw new IllegalStateException("tools/samples not found above " + Path.of("").toAbsolutePath());
    }

    static Stream<Path> samples() throws IOException {
        try (Stream<Path> s = Files.list(samplesDir())) {
            return s.filter(p -> SAMPLE.matcher(p.getFileName().toString()).matches()).sorted().toList().stream();
        }
    }

    static BufferedImage read(Path p) throws IOException {
        return ImageIO.read(p.toFile());
    }

    static Path sample(String name) throws IOException {
        return samples().filter(p -> p.getFileName().toString().startsWith(name)).findFirst().orElseThrow();
    }

    // ------------------------------------------------------------------------------------------------
    // Measurements of a 28 x 28 input

    /** {x0, y0, x1, y1} inclusive of the pixels above {@code level}, or null. */
    static int[] box(float[] x, float level) {
        int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
        for (int i = 0; i < 784; i++) {
            if (x[i] > level) {
                x0 = Math.min(x0, i % 28);
                x1 = Math.max(x1, i % 28);
                y0 = Math.min(y0, i / 28);
                y1 = Math.max(y1, i / 28);
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
    }

    static double[] centreOfMass(float[] x) {
        double m = 0, sx = 0, sy = 0;
        for (int i = 0; i < 784; i++) {
            m += x[i];
            sx += x[i] * (i % 28);
            sy += x[i] * (i / 28);
        }
        return new double[] {sx / m, sy / m};
    }

    static void assertValidInput(float[] x, String what) {
        assertEquals(784, x.length, what);
        float sum = 0;
        for (float v : x) {
            assertTrue(v >= 0f && v <= 1f, what + ": value " + v + " outside [0, 1]");
            sum += v;
        }
        assertTrue(sum > 10, what + ": hardly any ink (" + sum + ")");
    }

    static void assertMnistShaped(float[] x, String what) {
        assertValidInput(x, what);
        double[] c = centreOfMass(x);
        assertTrue(Math.abs(c[0] - 14) <= 1 && Math.abs(c[1] - 14) <= 1,
                what + ": centre of mass at (" + c[0] + ", " + c[1] + "), not within 1 of (14, 14)");
        // The strokes' core (ink at or above half the peak) fills MNIST's 20 x 20; a soft halo may reach
        // 3 pixels beyond it.
        int[] b = box(x, 0.5f);
        int bw = b[2] - b[0] + 1, bh = b[3] - b[1] + 1;
        assertTrue(bw <= 21 && bh <= 21, what + ": core box " + bw + " x " + bh + " exceeds 20 x 20");
        assertTrue(Math.max(bw, bh) >= 19, what + ": core box " + bw + " x " + bh + " does not fill 20 x 20");
        int[] all = box(x, 0f);
        assertTrue(all[2] - all[0] + 1 <= bw + 6 && all[3] - all[1] + 1 <= bh + 6,
                what + ": ink reaches more than 3 pixels beyond the core box " + bw + " x " + bh);
        float peak = 0;
        for (float v : x) peak = Math.max(peak, v);
        assertTrue(peak > 0.99f, what + ": ink peaks at " + peak + ", not 1");
    }

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }

    /**
     * Mean difference after shifting {@code b} so its ink box starts where {@code a}'s does: the same shape
     * lit differently can move its centre of mass across a rounding boundary, a one-pixel shift that is
     * not a difference in the digit. More than one pixel is.
     */
    static float meanDiffAligned(float[] a, float[] b) {
        int[] shift = shift(a, b);
        int dx = shift[0], dy = shift[1];
        double d = 0;
        for (int y = -1; y <= 28; y++) {
            for (int x = -1; x <= 28; x++) {
                d += Math.abs(at(a, x, y) - at(b, x + dx, y + dy));
            }
        }
        return (float) (d / 784);
    }

    /** How far {@code b}'s ink box is from {@code a}'s: at most one pixel each way. */
    static int[] shift(float[] a, float[] b) {
        int[] ba = box(a, 0f), bb = box(b, 0f);
        int dx = bb[0] - ba[0], dy = bb[1] - ba[1];
        assertTrue(Math.abs(dx) <= 1 && Math.abs(dy) <= 1, "placed " + dx + ", " + dy + " pixels apart");
        return new int[] {dx, dy};
    }

    static float at(float[] x, int col, int row) {
        return col < 0 || col >= 28 || row < 0 || row >= 28 ? 0f : x[row * 28 + col];
    }

    static byte[] encode(BufferedImage im, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(im, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    static ImageException assertImageException(byte[] data, String name, PreprocessMode mode) {
        try {
            float[] x = P.preprocess(data, name, mode);
            return fail(name + ": expected an ImageException, got " + x.length + " values");
        } catch (ImageException e) {
            assertTrue(e.getMessage().startsWith(name + ": "), "message does not name the source: " + e.getMessage());
            return e;
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Samples

    @Test
    void samplesCoverEveryDigitAndStaySmall() throws IOException {
        List<Path> all = samples().toList();
        boolean[] seen = new boolean[10];
        long bytes = 0;
        for (Path p : all) {
            Matcher m = SAMPLE.matcher(p.getFileName().toString());
            assertTrue(m.matches());
            seen[m.group(1).charAt(0) - '0'] = true;
            bytes += Files.size(p);
        }
        for (int d = 0; d < 10; d++) assertTrue(seen[d], "no sample of digit " + d);
        assertTrue(bytes < 300_000, "samples take " + bytes + " bytes");
        assertEquals(16, read(sample("digit-4-grey16")).getColorModel().getComponentSize(0), "the 16-bit sample");
        assertTrue(read(sample("digit-5-palette")).getColorModel() instanceof IndexColorModel, "the palette sample");
        assertTrue(read(sample("digit-0-alpha")).getColorModel().hasAlpha(), "the alpha sample");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void mnistModeCentresAndFitsEverySample(Path file) throws IOException {
        assertMnistShaped(P.preprocess(file, PreprocessMode.MNIST), file.getFileName().toString());
    }

    @ParameterizedTest
    @MethodSource("samples")
    void seedModeGivesBinaryInputs(Path file) throws IOException {
        if (file.getFileName().toString().equals("digit-6-pencil.jpg")) {
            // Its strokes are at 148 on paper near 200: no resized pixel falls below the threshold of 75.
            ImageException e = assertThrows(ImageException.class, () -> P.preprocess(file, PreprocessMode.SEED));
            assertTrue(e.getMessage().endsWith("no ink found at the seed threshold: after resizing to 28 x 28, no pixel"
                    + " is darker than 75 of 255 (MNIST mode finds fainter ink)"), e.getMessage());
            return;
        }
        float[] x = P.preprocess(file, PreprocessMode.SEED);
        assertEquals(784, x.length);
        int ink = 0;
        for (float v : x) {
            assertTrue(v == 0f || v == 1f, file + ": " + v);
            ink += (int) v;
        }
        assertTrue(ink > 0 && ink < 784, file + ": " + ink + " ink pixels");
    }

    @Test
    void seedModeRefusesAnImageTheThresholdEmptiesOrFills() throws IOException {
        // Not blank (two grey levels), but faint strokes stay above 75 and a dark page stays below it:
        // the network would see an empty or a solid square and still answer.
        BufferedImage faint = SampleImages.grey8(60, 60, i -> (i % 60 > 25 && i % 60 < 35) ? 150 : 230);
        BufferedImage dark = SampleImages.grey8(60, 60, i -> (i % 60 > 25 && i % 60 < 35) ? 10 : 60);
        for (var c : List.of(new Object[] {faint, "no"}, new Object[] {dark, "every"})) {
            ImageException e = assertImageException(encode((BufferedImage) c[0], "png"), "x.png", PreprocessMode.SEED);
            assertEquals("x.png: no ink found at the seed threshold: after resizing to 28 x 28, " + c[1]
                    + " pixel is darker than 75 of 255 (MNIST mode finds fainter ink)", e.getMessage());
        }
    }

    @ParameterizedTest
    @MethodSource("samples")
    void bytesAndFilesGiveTheSameInput(Path file) throws IOException {
        assertArrayEquals(P.preprocess(file, PreprocessMode.MNIST),
                P.preprocess(Files.readAllBytes(file), file.toString(), PreprocessMode.MNIST));
    }

    // ------------------------------------------------------------------------------------------------
    // Colour and polarity

    /** Every colour band inverted (alpha kept), at the raster's own depth; a palette image inverts its palette. */
    static BufferedImage invert(BufferedImage im) {
        ColorModel cm = im.getColorModel();
        if (cm instanceof IndexColorModel icm) {
            int n = icm.getMapSize();
            byte[] r = new byte[n], g = new byte[n], b = new byte[n];
            for (int i = 0; i < n; i++) {
                r[i] = (byte) (255 - icm.getRed(i));
                g[i] = (byte) (255 - icm.getGreen(i));
                b[i] = (byte) (255 - icm.getBlue(i));
            }
            return new BufferedImage(new IndexColorModel(icm.getPixelSize(), n, r, g, b), im.getRaster(), false, null);
        }
        WritableRaster r = im.copyData(null);
        int colourBands = cm.getNumColorComponents();
        int[] row = new int[r.getWidth()];
        for (int band = 0; band < colourBands; band++) {
            int max = (1 << cm.getComponentSize(band)) - 1;
            for (int y = 0; y < r.getHeight(); y++) {
                r.getSamples(0, y, row.length, 1, band, row);
                for (int x = 0; x < row.length; x++) row[x] = max - row[x];
                r.setSamples(0, y, row.length, 1, band, row);
            }
        }
        return new BufferedImage(cm, r, cm.isAlphaPremultiplied(), null);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void invertedImageGivesTheSameInput(Path file) throws IOException {
        BufferedImage im = read(file);
        if (im.getColorModel().hasAlpha()) return; // inverting colour under alpha is not the inverse picture
        float[] normal = P.fromImage(im, PreprocessMode.MNIST);
        float[] inverted = P.fromImage(invert(im), PreprocessMode.MNIST);
        assertTrue(maxDiff(normal, inverted) < 0.02f, file + ": differs by up to " + maxDiff(normal, inverted));
    }

    @Test
    void lightInkOnDarkIsNotTakenForPaper() throws IOException {
        float[] x = P.preprocess(sample("digit-2-inverted"), PreprocessMode.MNIST);
        for (int i = 0; i < 28; i++) {
            assertEquals(0f, x[i], "top row must be background");
            assertEquals(0f, x[27 * 28 + i], "bottom row must be background");
        }
    }

    @Test
    void alphaIsCompositedOnWhitePaper() throws IOException {
        BufferedImage im = read(sample("digit-0-alpha"));
        BufferedImage flat = new BufferedImage(im.getWidth(), im.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = flat.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, flat.getWidth(), flat.getHeight());
        g.drawImage(im, 0, 0, null);
        g.dispose();
        float[] a = P.fromImage(im, PreprocessMode.MNIST), b = P.fromImage(flat, PreprocessMode.MNIST);
        assertTrue(maxDiff(a, b) < 0.05f, "differs from the image flattened on white by " + maxDiff(a, b));

        // Transparent black all round, an opaque black square inside: on white paper the square is the ink.
        // Ignoring alpha, everything would be black and there would be no ink at all.
        BufferedImage square = new BufferedImage(60, 60, BufferedImage.TYPE_INT_ARGB);
        for (int y = 20; y < 40; y++) for (int x = 20; x < 40; x++) square.setRGB(x, y, 0xff000000);
        float[] x = P.preprocess(encode(square, "png"), "square.png", PreprocessMode.MNIST);
        // centre of mass 9.5 in the 20 x 20 square: offset round(14 - 9.5) = 5
        assertArrayEquals(new int[] {5, 5, 24, 24}, box(x, 0.5f), "a 20 x 20 square, mass centred at (14, 14)");
        // SEED composites on white too. 60 -> 28: outputs 10 to 17 see only square columns 21 to 38; outputs
        // 9 and 18 take columns 19-20 and 39-40, half black, level 128: not ink.
        float[] s = P.preprocess(encode(square, "png"), "square.png", PreprocessMode.SEED);
        for (int i = 0; i < 784; i++) {
            boolean inside = i % 28 >= 10 && i % 28 <= 17 && i / 28 >= 10 && i / 28 <= 17;
            assertEquals(inside ? 1f : 0f, s[i], "SEED pixel " + i);
        }
    }

    @Test
    void greyIsReadAsStoredAtFullDepth() throws IOException {
        // 16-bit: top values must not overflow or turn negative, and no gamma curve may be applied.
        BufferedImage g16 = new BufferedImage(28, 28, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(3, 4, 0, 65535);
        g16.getRaster().setSample(5, 6, 0, 32768);
        g16.getRaster().setSample(7, 8, 0, 257);
        float[] x = P.preprocess(encode(g16, "png"), "grey16.png", PreprocessMode.NONE);
        assertEquals(1f, x[4 * 28 + 3], 1e-6f);
        assertEquals(32768f / 65535f, x[6 * 28 + 5], 1e-6f);
        assertEquals(1f / 255f, x[8 * 28 + 7], 1e-6f);
        assertEquals(0f, x[0]);
        // 8-bit grey: 128 stays 128/255 (getRGB would give 188/255, its linear-to-sRGB curve).
        BufferedImage g8 = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        g8.getRaster().setSample(1, 1, 0, 128);
        assertEquals(128f / 255f, P.fromImage(g8, PreprocessMode.NONE)[29], 1e-6f);
    }

    @Test
    void colourUsesRec601Luminance() throws IOException {
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xff0000);
        rgb.setRGB(1, 0, 0x00ff00);
        rgb.setRGB(2, 0, 0x0000ff);
        float[] x = P.preprocess(encode(rgb, "png"), "rgb.png", PreprocessMode.NONE);
        assertEquals(0.299f, x[0], 1e-5f);
        assertEquals(0.587f, x[1], 1e-5f);
        assertEquals(0.114f, x[2], 1e-5f);
    }

    // ------------------------------------------------------------------------------------------------
    // GIF

    @Test
    void animatedGifGivesTheFirstFrame() throws IOException {
        byte[] r = {0, (byte) 255}, g = {0, (byte) 255}, b = {0, (byte) 255};
        IndexColorModel bw = new IndexColorModel(1, 2, r, g, b);
        BufferedImage first = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY, bw);
        BufferedImage second = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_BINARY, bw);
        for (int y = 4; y < 24; y++) first.getRaster().setSample(13, y, 0, 1); // a vertical bar
        for (int x = 4; x < 24; x++) second.getRaster().setSample(x, 13, 0, 1); // a horizontal bar
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            writer.writeToSequence(new IIOImage(first, null, null), null);
            writer.writeToSequence(new IIOImage(second, null, null), null);
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        assertEquals(2, frames(bytes.toByteArray()), "the test GIF must have two frames");
        float[] x = P.preprocess(bytes.toByteArray(), "anim.gif", PreprocessMode.NONE);
        assertArrayEquals(new int[] {13, 4, 13, 23}, box(x, 0.5f), "first frame: the vertical bar");
        float[] m = P.preprocess(bytes.toByteArray(), "anim.gif", PreprocessMode.MNIST);
        int[] mb = box(m, 0.5f);
        assertTrue(mb[3] - mb[1] >= 18 && mb[2] - mb[0] <= 3, "MNIST of the first frame is a vertical bar: " + Arrays.toString(mb));
    }

    static int frames(byte[] gif) throws IOException {
        var reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (var in = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(gif))) {
            reader.setInput(in);
            return reader.getNumImages(true);
        } finally {
            reader.dispose();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Bad input

    @Test
    void emptyAndUnreadableBytesAreImageExceptions() {
        assertTrue(assertImageException(new byte[0], "empty.png", PreprocessMode.MNIST).problem().contains("empty"));
        byte[] noise = new byte[2000];
        new Random(7).nextBytes(noise);
        noise[0] = 'x'; // not the first byte of any supported signature
        ImageException e = assertImageException(noise, "noise.png", PreprocessMode.MNIST);
        assertEquals("noise.png: not an image format we can read (PNG, GIF, JPEG, BMP)", e.getMessage());
        assertImageException("hello, world\n".getBytes(StandardCharsets.UTF_8), "hello.txt", PreprocessMode.SEED);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void truncatedFilesAreImageExceptions(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        for (double keep : new double[] {0.05, 0.3, 0.6, 0.9}) {
            int n = Math.max(1, (int) (all.length * keep));
            String name = file.getFileName() + "[0:" + n + "]";
            ImageException e = assertImageException(Arrays.copyOf(all, n), name, PreprocessMode.MNIST);
            assertTrue(e.problem().startsWith("truncated or corrupt") || e.problem().startsWith("not an image format"),
                    e.getMessage());
        }
    }

    @Test
    void pixelLimitIsCheckedFromTheHeaderBeforeDecoding() {
        byte[] png = pngHeader(60000, 60000);
        ImageException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertImageException(png, "huge.png", PreprocessMode.MNIST));
        assertEquals("huge.png: image is 60000 x 60000 = 3600000000 pixels, over the limit of 50000000", e.getMessage());
        assertNull(e.getCause(), "refused from the header, not by a failing decoder");
    }

    @Test
    void hugeImagesAreSubsampledWhileDecoding() throws IOException {
        // 200 x 150 with a decoding limit of 10,000 pixels: every 2nd pixel of every 2nd row (100 x 75), the
        // very input a 2x-subsampled copy gives. Under the limit, nothing changes.
        BufferedImage im = read(sample("digit-3-photo")).getSubimage(100, 75, 200, 150);
        BufferedImage copy = new BufferedImage(200, 150, BufferedImage.TYPE_INT_RGB);
        copy.getGraphics().drawImage(im, 0, 0, null);
        BufferedImage half = new BufferedImage(100, 75, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 75; y++) for (int x = 0; x < 100; x++) half.setRGB(x, y, copy.getRGB(2 * x, 2 * y));
        byte[] png = encode(copy, "png");
        ImagePreprocessor small = new ImagePreprocessor(ImagePreprocessor.DEFAULT_MAX_PIXELS, 10_000);
        for (PreprocessMode mode : List.of(PreprocessMode.MNIST, PreprocessMode.SEED)) {
            assertArrayEquals(P.fromImage(half, mode), small.preprocess(png, "photo.png", mode), mode.cliName());
            assertArrayEquals(P.fromImage(copy, mode), P.preprocess(png, "photo.png", mode), mode.cliName());
            assertFalse(Arrays.equals(P.fromImage(copy, mode), P.fromImage(half, mode)), "the test must tell them apart");
        }

        assertEquals(1, ImagePreprocessor.subsampling(4000, 4000, ImagePreprocessor.DECODE_PIXELS));
        assertEquals(2, ImagePreprocessor.subsampling(7000, 7000, ImagePreprocessor.DECODE_PIXELS)); // 3500 x 3500
        assertEquals(4, ImagePreprocessor.subsampling(1, 50_000_000, ImagePreprocessor.DECODE_PIXELS)); // 1 x 12.5 M
        assertEquals(2, ImagePreprocessor.subsampling(200, 150, 10_000));
    }

    @Test
    void runningOutOfMemoryIsSaidSoNotCalledCorruptData() {
        // The PNG reader wraps the OutOfMemoryError it meets ("Caught exception during read: "), the 7000 x 7000
        // RGBA case under -Xmx256m; other decoders let it through. Either way: the size, and the error as cause.
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        for (Throwable thrown : List.of(new javax.imageio.IIOException("Caught exception during read: ", oom), oom)) {
            ImageException e = ImagePreprocessor.decodingFailed("big.png", thrown, 7000, 7000);
            assertEquals("big.png: not enough memory to decode a 7000 x 7000 image", e.getMessage());
            assertTrue(e.getCause() == oom, "cause: " + e.getCause());
        }
        assertEquals("big.png: not enough memory to decode the image", ImagePreprocessor.decodingFailed("big.png", oom, 0, 0).getMessage());
        ImageException corrupt = ImagePreprocessor.decodingFailed("bad.png", new javax.imageio.IIOException("Error reading PNG image data"), 10, 10);
        assertEquals("bad.png: truncated or corrupt image data: Error reading PNG image data", corrupt.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() throws IOException {
        Path small = sample("digit-9-mnist28");
        ImageException e = assertThrows(ImageException.class, () -> new ImagePreprocessor(700).preprocess(small, PreprocessMode.NONE));
        assertTrue(e.getMessage().endsWith("image is 28 x 28 = 784 pixels, over the limit of 700"), e.getMessage());
        assertEquals(784, new ImagePreprocessor(784).preprocess(small, PreprocessMode.NONE).length);
        assertThrows(IllegalArgumentException.class, () -> new ImagePreprocessor(0));
    }

    @Test
    void zeroSizeImagesAreImageExceptions() {
        assertImageException(pngHeader(0, 10), "zero-width.png", PreprocessMode.MNIST);
        assertImageException(pngHeader(10, 0), "zero-height.png", PreprocessMode.SEED);
    }

    /** A PNG signature and IHDR chunk (8-bit grey) with a correct CRC, and nothing else. */
    static byte[] pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        return ByteBuffer.allocate(8 + 4 + 17 + 4)
                .put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr.array()).putInt((int) crc.getValue()).array();
    }

    @Test
    void missingFilesAndDirectoriesAreImageExceptions(@TempDir Path dir) {
        Path missing = dir.resolve("missing.png");
        ImageException e = assertThrows(ImageException.class, () -> P.preprocess(missing, PreprocessMode.MNIST));
        assertEquals(missing + ": no such file", e.getMessage());
        assertThrows(ImageException.class, () -> P.preprocess(dir, PreprocessMode.MNIST));
    }

    @Test
    void fuzzedFilesOnlyEverThrowImageException() throws IOException {
        // A lower pixel limit keeps a mutated header from making the test decode a huge image.
        ImagePreprocessor p = new ImagePreprocessor(1_000_000);
        List<byte[]> originals = samples().map(f -> {
            try {
                return Files.readAllBytes(f);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        Random rnd = new Random(42);
        int decoded = 0, refused = 0;
        for (int i = 0; i < 120; i++) {
            byte[] d = originals.get(i % originals.size()).clone();
            int kind = rnd.nextInt(3);
            if (kind == 0) {
                for (int j = 0, n = 1 + rnd.nextInt(8); j < n; j++) d[rnd.nextInt(d.length)] = (byte) rnd.nextInt(256);
            } else if (kind == 1) {
                // the first 64 bytes hold the headers: sizes, colour types, palettes, table lengths
                for (int j = 0, n = 1 + rnd.nextInt(4); j < n; j++) d[rnd.nextInt(Math.min(64, d.length))] ^= (byte) (1 << rnd.nextInt(8));
            } else {
                int at = rnd.nextInt(d.length);
                d = Arrays.copyOf(d, at + rnd.nextInt(d.length - at + 1));
                for (int j = at; j < d.length; j++) d[j] = (byte) rnd.nextInt(256);
            }
            for (PreprocessMode mode : PreprocessMode.values()) {
                try {
                    float[] x = p.preprocess(d, "fuzz-" + i, mode);
                    assertEquals(784, x.length);
                    for (float v : x) assertTrue(v >= 0f && v <= 1f);
                    decoded++;
                } catch (ImageException e) {
                    refused++;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("case " + i + " mode " + mode + " escaped as " + e, e);
                }
            }
        }
        assertTrue(decoded > 0 && refused > 0, decoded + " decoded, " + refused + " refused");
    }

    @Test
    void cmykJpegIsDecodedOrClearlyRefused() throws IOException {
        // The JDK's JPEG writer stores a 4-band raster as a CMYK JPEG; readers before JDK 23 or so refuse it.
        WritableRaster cmyk = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, 40, 40, 4, null);
        for (int y = 10; y < 30; y++) for (int x = 18; x < 22; x++) cmyk.setSample(x, y, 3, 255);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(cmyk, null, null), null);
        } finally {
            writer.dispose();
        }
        try {
            assertEquals(784, P.preprocess(bytes.toByteArray(), "cmyk.jpg", PreprocessMode.SEED).length);
        } catch (ImageException e) {
            // JDK 25 decodes this file to a single colour (black throughout): blank, in SEED as in MNIST mode.
            assertTrue(e.problem().contains("CMYK") || e.problem().startsWith("no ink found (blank image)"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Odd shapes and blank images

    @Test
    void oneByOneImage() throws IOException {
        BufferedImage black = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage white = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        white.getRaster().setSample(0, 0, 0, 255);
        byte[] blackPng = encode(black, "png"), whitePng = encode(white, "png");
        assertTrue(assertImageException(blackPng, "1x1.png", PreprocessMode.MNIST).problem().startsWith("no ink found"));
        assertTrue(assertImageException(whitePng, "1x1.png", PreprocessMode.MNIST).problem().startsWith("no ink found"));
        // SEED would make these all ink and all paper, and the network would answer anyway (a 3 at 1.000
        // for the black pixel): refused like MNIST does.
        assertEquals("1x1.png: no ink found (blank image): nothing stands out from the background",
                assertImageException(blackPng, "1x1.png", PreprocessMode.SEED).getMessage());
        assertEquals("1x1.png: no ink found (blank image): nothing stands out from the background",
                assertImageException(whitePng, "1x1.png", PreprocessMode.SEED).getMessage());
        assertTrue(assertImageException(blackPng, "1x1.png", PreprocessMode.NONE).problem().contains("1 x 1"));
    }

    @Test
    void veryWideImage() throws IOException {
        BufferedImage line = new BufferedImage(100_000, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] row = new int[100_000];
        Arrays.fill(row, 255);
        Arrays.fill(row, 40_000, 60_000, 0);
        line.getRaster().setSamples(0, 0, 100_000, 1, 0, row);
        byte[] png = encode(line, "png");

        float[] x = P.preprocess(png, "line.png", PreprocessMode.MNIST);
        assertValidInput(x, "line.png");
        int[] b = box(x, 0.5f);
        assertTrue(b[2] - b[0] + 1 == 20 && b[3] - b[1] + 1 <= 3, "a horizontal bar: " + Arrays.toString(b));
        double[] c = centreOfMass(x);
        assertEquals(14, c[0], 1.0);
        assertEquals(14, c[1], 1.0);

        // SEED by hand: output column c averages input [c, c+1) * 100000/28; columns 11 to 16 are at least
        // 80% black (column 11 = [39286, 42857): 2857 of 3571 black, level 51 < 75), all 28 rows alike.
        float[] s = P.preprocess(png, "line.png", PreprocessMode.SEED);
        for (int i = 0; i < 784; i++) assertEquals(i % 28 >= 11 && i % 28 <= 16 ? 1f : 0f, s[i], "pixel " + i);

        // The same line standing up: SEED's vertical pass runs as the rows are read, 100,000 of them.
        BufferedImage column = new BufferedImage(1, 100_000, BufferedImage.TYPE_BYTE_GRAY);
        column.getRaster().setSamples(0, 0, 1, 100_000, 0, row);
        float[] t = P.preprocess(encode(column, "png"), "column.png", PreprocessMode.SEED);
        for (int i = 0; i < 784; i++) assertEquals(s[(i % 28) * 28 + i / 28], t[i], "pixel " + i + " of the transposed line");

        // A 1-pixel-high line with no ink at all is blank in every mode that takes it.
        BufferedImage blank = SampleImages.grey8(5000, 1, i -> 255);
        for (PreprocessMode mode : List.of(PreprocessMode.MNIST, PreprocessMode.SEED)) {
            assertTrue(assertImageException(encode(blank, "png"), "blank-line.png", mode).problem().startsWith("no ink found"), mode.cliName());
        }
    }

    @Test
    void blankImagesHaveNoInk() throws IOException {
        Random rnd = new Random(11);
        BufferedImage white = SampleImages.grey8(120, 90, i -> 255);
        BufferedImage grey = SampleImages.grey8(120, 90, i -> 128);
        BufferedImage grain = SampleImages.grey8(200, 150, i -> (int) Math.round(225 + 3 * rnd.nextGaussian()));
        BufferedImage shaded = SampleImages.grey8(300, 200, i -> (int) Math.round(230 - 40.0 * (i % 300) / 300 + 3 * rnd.nextGaussian()));
        for (var c : List.of(new Object[] {white, "png"}, new Object[] {grey, "bmp"}, new Object[] {grain, "png"}, new Object[] {shaded, "jpg"})) {
            String name = "blank." + c[1];
            ImageException e = assertImageException(encode((BufferedImage) c[0], (String) c[1]), name, PreprocessMode.MNIST);
            assertEquals(name + ": no ink found (blank image): nothing stands out from the background", e.getMessage());
        }
        // SEED refuses an image of one grey level, whatever the level: below its threshold of 75 it would all
        // be ink, above it all paper. (It has no notion of noise: grain and shading are left to MNIST mode.)
        BufferedImage dark = SampleImages.grey8(120, 90, i -> 40);
        BufferedImage transparent = new BufferedImage(60, 40, BufferedImage.TYPE_INT_ARGB); // black, alpha 0: white paper
        for (var c : List.of(new Object[] {white, "png"}, new Object[] {grey, "bmp"}, new Object[] {dark, "png"}, new Object[] {transparent, "png"})) {
            String name = "blank." + c[1];
            ImageException e = assertImageException(encode((BufferedImage) c[0], (String) c[1]), name, PreprocessMode.SEED);
            assertEquals(name + ": no ink found (blank image): nothing stands out from the background", e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------------
    // MNIST-mode robustness

    @Test
    void theCentreOfMassNotTheBoxIsCentred() throws IOException {
        // A T, heavy on top: mass 6.1 pixels down its 20-pixel box, so centring the box would leave the mass
        // 4 pixels high. (Much more top-heavy and the shift would push ink out of the field: the offset is
        // clamped so that no ink is ever cut off.)
        BufferedImage t = SampleImages.grey8(100, 100, i -> {
            int x = i % 100, y = i / 100;
            boolean bar = y >= 20 && y < 30 && x >= 25 && x < 75, stem = y >= 30 && y < 80 && x >= 46 && x < 54;
            return bar || stem ? 0 : 255;
        });
        float[] x = P.fromImage(t, PreprocessMode.MNIST);
        assertMnistShaped(x, "T");
        int[] b = box(x, 0f);
        assertTrue(b[1] >= 7, "the box must sit low for the mass to be centred: " + Arrays.toString(b));
    }

    @Test
    void specksAwayFromTheDigitAreIgnored() throws IOException {
        BufferedImage clean = read(sample("digit-7-drawing"));
        BufferedImage specked = read(sample("digit-7-drawing"));
        Graphics2D g = specked.createGraphics();
        g.setColor(Color.BLACK);
        g.fillRect(5, 5, 3, 3);
        g.fillRect(240, 20, 4, 3);
        g.fillRect(20, 240, 2, 2);
        g.fillRect(235, 238, 5, 5);
        g.dispose();
        float[] a = P.fromImage(clean, PreprocessMode.MNIST), b = P.fromImage(specked, PreprocessMode.MNIST);
        assertTrue(maxDiff(a, b) < 0.02f, "specks changed the input by up to " + maxDiff(a, b));
    }

    @Test
    void unevenLightingIsRemoved() throws IOException {
        int w = 320, h = 240;
        float[] m = SampleImages.stroke(w, h, SampleImages.four(100, 30, 1.0), 20);
        BufferedImage flat = SampleImages.grey8(w, h, i -> SampleImages.mix(220, 30, m[i]));
        // Paper from 235 down to 95 across the image, ink as dark relative to its paper.
        BufferedImage lit = SampleImages.grey8(w, h, i -> {
            double paper = 235 - 140.0 * (i % w) / w;
            return SampleImages.mix(paper, paper * 0.15, m[i]);
        });
        float[] a = P.fromImage(flat, PreprocessMode.MNIST), b = P.fromImage(lit, PreprocessMode.MNIST);
        assertMnistShaped(b, "lit");
        float d = meanDiffAligned(a, b);
        assertTrue(d < 0.03f, "uneven lighting changed the input by " + d + " on average");
    }

    @Test
    void paperGrainDoesNotBecomeInk() throws IOException {
        // Faint ink (55 levels) on grainy paper (sigma 7 levels), against the same digit on clean paper.
        int w = 240, h = 240;
        float[] m = SampleImages.stroke(w, h, SampleImages.four(50, 30, 1.0), 18);
        Random rnd = new Random(13);
        BufferedImage clean = SampleImages.grey8(w, h, i -> SampleImages.mix(200, 145, m[i]));
        BufferedImage grainy = SampleImages.grey8(w, h, i -> SampleImages.mix(200 + 7 * rnd.nextGaussian(), 145 + 7 * rnd.nextGaussian(), m[i]));
        float[] a = P.fromImage(clean, PreprocessMode.MNIST), b = P.fromImage(grainy, PreprocessMode.MNIST);
        int[] shift = shift(a, b);
        int stray = 0;
        for (int i = 0; i < 784; i++) {
            if (b[i] > 0.05f && at(a, i % 28 - shift[0], i / 28 - shift[1]) == 0f) stray++;
        }
        assertTrue(stray <= 8, stray + " pixels of grain became ink");
        float d = meanDiffAligned(a, b);
        assertTrue(d < 0.03f, "grain changed the input by " + d + " on average");
    }

    @Test
    void noiseFloorSitsAboveThePaperGrain() throws ImageException {
        // Residuals after background removal: 92% paper grain (sigma 0.03, clipped at 0, so over a third
        // of it is exactly 0), 8% ink near 0.3. Half the Otsu threshold (about 0.08, under 3 sigma) passes
        // 2.5% of the paper as ink; a MAD sigma, fooled by the clipping, 0.3%; median + 4 sigma, none.
        Random rnd = new Random(17);
        int n = 50_000;
        float[] r = new float[n];
        boolean[] paper = new boolean[n];
        for (int i = 0; i < n; i++) {
            paper[i] = rnd.nextFloat() < 0.92f;
            r[i] = (float) Math.max(0, paper[i] ? 0.01 + 0.03 * rnd.nextGaussian() : 0.3 + 0.03 * rnd.nextGaussian());
        }
        ImagePreprocessor.normalise(r, "residuals");
        int paperInk = 0, ink = 0, inks = 0;
        for (int i = 0; i < n; i++) {
            if (paper[i] && r[i] > 0) paperInk++;
            if (!paper[i]) {
                inks++;
                if (r[i] > 0.5f) ink++;
            }
        }
        assertTrue(paperInk < n / 10_000, paperInk + " paper pixels passed as ink");
        assertTrue(ink > 0.9 * inks, "only " + ink + " of " + inks + " ink pixels are solid");
    }

    @Test
    void thinPenStrokesAreThickenedToMnistWidth() throws IOException {
        // The drawing's 7 at 4x the size with a 3-pixel pen: without thickening it would shrink to a faint
        // hairline a tenth of a pixel wide.
        float[] thick = P.preprocess(sample("digit-7-drawing"), PreprocessMode.MNIST);
        BufferedImage pen = new BufferedImage(1024, 1024, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = pen.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 1024, 1024);
        g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new java.awt.BasicStroke(3, java.awt.BasicStroke.CAP_ROUND, java.awt.BasicStroke.JOIN_ROUND));
        java.awt.geom.Path2D.Float p = new java.awt.geom.Path2D.Float();
        p.moveTo(256, 248);
        p.lineTo(744, 224);
        p.quadTo(600, 480, 472, 848);
        g.draw(p);
        g.dispose();
        float[] thin = P.fromImage(pen, PreprocessMode.MNIST);
        assertMnistShaped(thin, "pen");
        int inkThick = 0, inkThin = 0;
        for (int i = 0; i < 784; i++) {
            if (thick[i] > 0.5f) inkThick++;
            if (thin[i] > 0.5f) inkThin++;
        }
        assertTrue(inkThin >= 0.6 * inkThick && inkThin <= 1.6 * inkThick,
                inkThin + " solid pixels from the pen line, " + inkThick + " from the marker drawing");
    }

    @Test
    void largeImagesAreAveragedDownFirst() throws IOException {
        int w = 2600, h = 2000; // 5.2 MP, over the 4 MP working size
        float[] m = SampleImages.stroke(w, h, SampleImages.four(900, 300, 7.0), 120);
        BufferedImage im = SampleImages.grey8(w, h, i -> SampleImages.mix(230, 20, m[i]));
        float[] x = P.fromImage(im, PreprocessMode.MNIST);
        assertMnistShaped(x, "5.2 MP");
    }

    // ------------------------------------------------------------------------------------------------
    // SEED and NONE

    @Test
    void seedMatchesAHandComputedPillowBoxResize() throws IOException {
        // 56 x 56 in 2 x 2 blocks. Pillow halves each axis with weights 1/2, 1/2, rounding half up after each
        // pass: (a + b + 1) / 2 across, then the same down.
        int[][] blocks = {
                {74, 74, 74, 74}, // 74 -> ink
                {75, 75, 75, 75}, // 75 -> not ink (strictly below 75)
                {74, 75, 74, 75}, // rows: 75, 75 -> 75 -> not ink (exact mean 74.5)
                {74, 74, 74, 75}, // rows: 74, 75 -> 75 -> not ink (exact mean 74.25: rounding per pass)
                {73, 74, 74, 74}, // rows: 74, 74 -> ink
                {0, 0, 255, 255}, // rows: 0, 255 -> 128 -> not ink
                {0, 0, 0, 255}, // rows: 0, 128 -> 64 -> ink
        };
        int[] expected = {1, 0, 0, 0, 1, 0, 1};
        BufferedImage im = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster r = im.getRaster();
        for (int i = 0; i < 784; i++) {
            int[] v = i < blocks.length ? blocks[i] : new int[] {255, 255, 255, 255};
            int bx = (i % 28) * 2, by = (i / 28) * 2;
            r.setSample(bx, by, 0, v[0]);
            r.setSample(bx + 1, by, 0, v[1]);
            r.setSample(bx, by + 1, 0, v[2]);
            r.setSample(bx + 1, by + 1, 0, v[3]);
        }
        float[] x = P.preprocess(encode(im, "png"), "blocks.png", PreprocessMode.SEED);
        for (int i = 0; i < 784; i++) assertEquals(i < expected.length ? expected[i] : 0, x[i], 0f, "block " + i);

        // 42 -> 28 (scale 1.5): output column c takes the input columns whose centres fall in its box, which
        // in Pillow's arithmetic is columns 3c/2 and 3c/2 + 1 for even c and column (3c + 1)/2 alone for odd
        // c. Input columns cycle 140, 10, 0: even outputs = (140 + 10 + 1) / 2 = 75 -> not ink, odd outputs
        // = column 2 mod 3 = 0 -> ink. (A true area average would give 93 and 3: the same verdicts here,
        // but 140/10 straddling a box edge would not.)
        int[] cycle = {140, 10, 0};
        BufferedImage stripes = SampleImages.grey8(42, 28, i -> cycle[(i % 42) % 3]);
        float[] s = P.preprocess(encode(stripes, "png"), "stripes.png", PreprocessMode.SEED);
        for (int i = 0; i < 784; i++) assertEquals(i % 2 == 0 ? 0f : 1f, s[i], "stripes pixel " + i);

        // Colour: Pillow's L = (19595 R + 38470 G + 7471 B + 32768) >> 16.
        BufferedImage colour = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 784; i++) colour.setRGB(i % 28, i / 28, 0xffffff);
        colour.setRGB(0, 0, (100 << 16) | (50 << 8) | 60); // L = 66 -> ink
        colour.setRGB(1, 0, (40 << 16) | (90 << 8) | 80); // 4876548 >> 16 = 74 -> ink
        colour.setRGB(2, 0, (42 << 16) | (90 << 8) | 80); // 4915738 >> 16 = 75 -> not ink
        float[] c = P.preprocess(encode(colour, "png"), "colour.png", PreprocessMode.SEED);
        assertEquals(1f, c[0]);
        assertEquals(1f, c[1]);
        assertEquals(0f, c[2]);
    }

    @Test
    void noneModeTakesMnistInputsAsTheyAre() throws IOException {
        Path file = sample("digit-9-mnist28");
        BufferedImage im = read(file);
        float[] x = P.preprocess(file, PreprocessMode.NONE);
        for (int i = 0; i < 784; i++) assertEquals(im.getRaster().getSample(i % 28, i / 28, 0) / 255f, x[i], 1e-6f);
        ImageException e = assertThrows(ImageException.class, () -> P.preprocess(sample("digit-2-inverted"), PreprocessMode.NONE));
        assertTrue(e.problem().contains("28 x 28") && e.problem().contains("200 x 200"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------
    // API

    @Test
    void modesParseFromTheirCommandLineNames() {
        assertEquals(PreprocessMode.MNIST, PreprocessMode.parse("mnist"));
        assertEquals(PreprocessMode.SEED, PreprocessMode.parse(" SEED "));
        assertEquals(PreprocessMode.NONE, PreprocessMode.parse("None"));
        assertEquals("mnist", PreprocessMode.MNIST.cliName());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PreprocessMode.parse("otsu"));
        assertEquals("unknown preprocessing mode 'otsu'; valid modes: mnist, seed, none", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PreprocessMode.parse(null));
    }

    @Test
    void toImageRoundTripsThroughNoneMode() throws IOException {
        Random rnd = new Random(5);
        float[] x = new float[784];
        for (int i = 0; i < 784; i++) x[i] = rnd.nextInt(256) / 255f;
        BufferedImage once = ImagePreprocessor.toImage(x, 1);
        assertArrayEquals(x, P.preprocess(encode(once, "png"), "dump.png", PreprocessMode.NONE), 1e-6f);
        BufferedImage big = ImagePreprocessor.toImage(x, 3);
        assertEquals(84, big.getWidth());
        assertEquals(84, big.getHeight());
        for (int y = 0; y < 84; y++) {
            for (int xx = 0; xx < 84; xx++) {
                assertEquals(Math.round(x[(y / 3) * 28 + xx / 3] * 255), big.getRaster().getSample(xx, y, 0));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.toImage(new float[783], 1));
        assertThrows(IllegalArgumentException.class, () -> ImagePreprocessor.toImage(x, 0));
    }

    @Test
    void preprocessingDoesNotTouchTheCallersImage() throws IOException {
        BufferedImage im = read(sample("digit-3-photo"));
        int[] before = im.getRGB(0, 0, im.getWidth(), im.getHeight(), null, 0, im.getWidth());
        float[] a = P.fromImage(im, PreprocessMode.MNIST);
        assertArrayEquals(before, im.getRGB(0, 0, im.getWidth(), im.getHeight(), null, 0, im.getWidth()));
        assertArrayEquals(a, P.fromImage(im, PreprocessMode.MNIST), "deterministic");
        assertFalse(Arrays.equals(a, P.fromImage(read(sample("digit-8-shadow")), PreprocessMode.MNIST)));
    }
}
